// How a district's reminders leave, per its `delivery` config (functions/domain/delivery-config.ts): each channel
// on the SNS topic, or on an SMS provider (Aliyun, Tencent Cloud) / the district's mail server (SMTP). The last two
// are called while the publisher waits for the answer, so it lands in the outbox: a provider error never loses a
// reminder, it stays in the outbox, pending for a retry or failed with its reason.
//
//   deliveryNotifier - the publisher's notifier (channel-notifier.ts): each channel to the topic or the direct sender
//   directNotifier   - the direct sender (the deliverMessage Lambda, and the local runtime): the provider SDKs and
//                      SMTP, once per dedupe key; credentials from Secrets Manager by the names in the config, read
//                      on first use and kept in memory; a failed read is retried with the reminder
import * as z from 'zod';
import type { DeliveryConfig, SmtpEmailConfig } from '../domain/delivery-config';
import { smtpTlsMode } from '../domain/delivery-config';
import { aliyunSmsClient, AliyunSmsGateway, type AliyunCredentials, type AliyunSmsClient } from './aliyun-sms';
import { ChannelNotifier, onceNotifier, smsGatewayNotifier } from './channel-notifier';
import type { DedupeStore } from './dedupe-store';
import { TransientDeliveryError, type Notifier } from './notifier';
import type { SmsGateway } from './sms-gateway';
import { SmtpMailer, type SmtpMailerOptions } from './smtp-mailer';
import { tencentSmsClient, TencentSmsGateway, type TencentCredentials, type TencentSmsClient } from './tencent-sms';

export interface DirectDeps {
  delivery: DeliveryConfig;
  /** The SecretString of a Secrets Manager secret, by name. */
  secret: (name: string) => Promise<string>;
  /** The receiving side's memory of dedupe keys: a provider that cannot dedupe is called once per key. */
  dedupe: DedupeStore;
  /** Stand-ins for the SDK clients (tests, the local runtime). */
  aliyunClient?: (creds: AliyunCredentials, endpoint: string) => AliyunSmsClient;
  tencentClient?: (creds: TencentCredentials, region: string) => TencentSmsClient;
  /** Overrides of the SMTP options (the local runtime: its own server's host, port and certificate). */
  smtp?: Partial<SmtpMailerOptions>;
}

const aliyunSecret = z.object({ accessKeyId: z.string().min(1), accessKeySecret: z.string().min(1) });
const tencentSecret = z.object({ secretId: z.string().min(1), secretKey: z.string().min(1) });

/** Parses a secret's JSON; the error names the secret and the fields, never a value. */
function parseSecret<T>(name: string, raw: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`secret ${name} is not JSON`);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new Error(`secret ${name} lacks ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return r.data;
}

/** The SMTP password: the SecretString itself, or its `password` field when it is a JSON object. */
export function smtpPassword(raw: string): string {
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object' && typeof (v as { password?: unknown }).password === 'string') return (v as { password: string }).password;
  } catch {
    // not JSON: the secret is the password
  }
  return raw;
}

/** Builds once on first use; a failure is retried by the next use (and the reminder waits in the outbox). */
function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () =>
    (p ??= make().catch((err: unknown) => {
      p = undefined;
      throw new TransientDeliveryError(`cannot set up delivery: ${(err as Error).message}`, { cause: err });
    }));
}

/** The SMS provider gateway of a config (credentials read on first use). */
export function providerSmsGateway(deps: Omit<DirectDeps, 'dedupe'>): SmsGateway | undefined {
  const sms = deps.delivery.sms;
  if (sms.provider === 'sns') return undefined;
  const gateway = lazy<SmsGateway>(async () => {
    const raw = await deps.secret(sms.secretName);
    if (sms.provider === 'aliyun') return new AliyunSmsGateway(sms, (deps.aliyunClient ?? aliyunSmsClient)(parseSecret(sms.secretName, raw, aliyunSecret), sms.endpoint));
    return new TencentSmsGateway(sms, (deps.tencentClient ?? tencentSmsClient)(parseSecret(sms.secretName, raw, tencentSecret), sms.region));
  });
  return { send: async (req) => (await gateway()).send(req) };
}

/** The SMTP mailer of a config (password read on first use). */
export function smtpNotifier(email: SmtpEmailConfig, deps: Pick<DirectDeps, 'secret' | 'smtp'>): Notifier {
  const mailer = lazy(async () => {
    const password = smtpPassword(await deps.secret(email.secretName));
    return new SmtpMailer({ host: email.host, port: email.port, tls: smtpTlsMode(email), user: email.user, from: email.from, password, ...deps.smtp });
  });
  return { send: async (m) => (await mailer()).send(m) };
}

/** The SMS provider and the mail server of a config, each once per dedupe key; a channel on SNS is not its job. */
export function directNotifier(deps: DirectDeps): Notifier {
  const { delivery } = deps;
  const gateway = providerSmsGateway(deps);
  const notOurs: Notifier = { send: async (m) => Promise.reject(new Error(`the ${m.channel} channel of this district is delivered through SNS`)) };
  return new ChannelNotifier({
    sms: gateway ? onceNotifier(smsGatewayNotifier(gateway), deps.dedupe) : notOurs,
    email: delivery.email.provider === 'smtp' ? onceNotifier(smtpNotifier(delivery.email, deps), deps.dedupe) : notOurs,
  });
}
