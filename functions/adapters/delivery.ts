// The publisher's notifier for a district's `delivery` config (functions/domain/delivery-config.ts): each channel
// on the SNS topic, an SMS provider (Aliyun, Tencent Cloud) or the district's mail server (SMTP), the last two
// called by the publisher itself so their answer lands in the outbox: a provider error never loses a reminder, it
// stays in the outbox, pending for a retry or failed with its reason. Credentials come from Secrets Manager by the
// names in the config, read on first use and kept in memory; a failed read is retried with the reminder.
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

export interface DeliveryDeps {
  delivery: DeliveryConfig;
  /** The SecretString of a Secrets Manager secret, by name. */
  secret: (name: string) => Promise<string>;
  /** The receiving side's memory of dedupe keys, for the channels the publisher sends itself. */
  dedupe: DedupeStore;
  /** The district's SNS topic notifier, for the channels on `sns` (made only if one is). */
  sns?: () => Notifier;
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
export function providerSmsGateway(deps: Omit<DeliveryDeps, 'dedupe' | 'sns'>): SmsGateway | undefined {
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
export function smtpNotifier(email: SmtpEmailConfig, deps: Pick<DeliveryDeps, 'secret' | 'smtp'>): Notifier {
  const mailer = lazy(async () => {
    const password = smtpPassword(await deps.secret(email.secretName));
    return new SmtpMailer({ host: email.host, port: email.port, tls: smtpTlsMode(email), user: email.user, from: email.from, password, ...deps.smtp });
  });
  return { send: async (m) => (await mailer()).send(m) };
}

export function deliveryNotifier(deps: DeliveryDeps): Notifier {
  const { delivery } = deps;
  let sns: Notifier | undefined;
  const topic: Notifier = { send: (m) => (sns ??= deps.sns?.() ?? missingSns()).send(m) };
  const gateway = providerSmsGateway(deps);
  return new ChannelNotifier({
    sms: gateway ? onceNotifier(smsGatewayNotifier(gateway), deps.dedupe) : topic,
    email: delivery.email.provider === 'smtp' ? onceNotifier(smtpNotifier(delivery.email, deps), deps.dedupe) : topic,
  });
}

function missingSns(): never {
  throw new Error('a channel is delivered through SNS, but this function has no topic');
}
