// Reminder delivery under `npm start`, as the district's delivery config says, with no account anywhere:
//   e-mail on smtp  → the real SMTP path (nodemailer, TLS) to a real SMTP server on this machine (./smtp-server.ts),
//                     which stores each message under .data/mail/ — the same code that talks to the district's
//                     mail server on AWS, only the host, port and trusted certificate differ;
//   SMS on a provider → the provider adapter with its real template mapping and dedupe, its SDK client replaced by a
//                     stand-in that keeps the exact request it would send (number masked) in .data/sms.jsonl and
//                     answers as the provider does on success;
//   a channel on sns → the local sink only, as before.
// Every message that goes out is also recorded in the local sink, which feeds the dashboard's Outbox page.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SendSmsResponse, SendSmsResponseBody, type SendSmsRequest } from '@alicloud/dysmsapi20170525';
import type { AliyunSmsClient } from '../../functions/adapters/aliyun-sms';
import { deliveryNotifier } from '../../functions/adapters/channel-notifier';
import type { DedupeStore } from '../../functions/adapters/dedupe-store';
import { directNotifier } from '../../functions/adapters/delivery';
import type { LocalSink } from '../../functions/adapters/local-sink';
import type { Notifier } from '../../functions/adapters/notifier';
import type { TencentSendSmsRequest, TencentSendSmsResponse, TencentSmsClient } from '../../functions/adapters/tencent-sms';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { smtpTlsMode } from '../../functions/domain/delivery-config';
import { maskPhone } from '../../functions/domain/reminders';
import { DEV_SMTP_PASSWORD, startLocalSmtpServer, type LocalSmtpServer } from './smtp-server';

export interface LocalDelivery {
  notifier: Notifier;
  mail?: LocalSmtpServer;
  /** Lines for the start banner. */
  describe(): string[];
  stop(): Promise<void>;
}

/** Keeps each provider request as it would be sent, the number masked. */
function recordRequest(file: string, provider: string, request: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), provider, request })}\n`);
}

class LocalAliyunClient implements AliyunSmsClient {
  private n = 0;
  constructor(private readonly file: string) {}
  async sendSms(req: SendSmsRequest): Promise<SendSmsResponse> {
    recordRequest(this.file, 'aliyun', { ...req, phoneNumbers: maskPhone(`+86${req.phoneNumbers ?? ''}`).replace(/^\+86/, '') });
    return new SendSmsResponse({ statusCode: 200, headers: {}, body: new SendSmsResponseBody({ code: 'OK', message: 'OK', bizId: `local-${++this.n}`, requestId: 'local' }) });
  }
}

class LocalTencentClient implements TencentSmsClient {
  private n = 0;
  constructor(private readonly file: string) {}
  async SendSms(req: TencentSendSmsRequest): Promise<TencentSendSmsResponse> {
    recordRequest(this.file, 'tencent', { ...req, PhoneNumberSet: req.PhoneNumberSet.map(maskPhone) });
    return { SendStatusSet: [{ SerialNo: `local-${++this.n}`, PhoneNumber: '', Fee: 1, SessionContext: req.SessionContext ?? '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' }], RequestId: 'local' };
  }
}

/** After the inner notifier sent a message, the sink records it too (for the Outbox page and the printed line). */
function recorded(inner: Notifier, sink: LocalSink): Notifier {
  return {
    async send(m) {
      const r = await inner.send(m);
      if (r.status === 'sent') await sink.send(m);
      return r;
    },
  };
}

export async function startLocalDelivery(o: { config: DistrictConfig; sink: LocalSink; dataRoot: string; dedupe: DedupeStore; smtpPort?: number }): Promise<LocalDelivery> {
  const { delivery } = o.config;
  const mail =
    delivery.email.provider === 'smtp'
      ? await startLocalSmtpServer({ dir: join(o.dataRoot, 'mail'), port: o.smtpPort ?? 0, tls: smtpTlsMode(delivery.email), user: delivery.email.user, password: DEV_SMTP_PASSWORD })
      : undefined;
  const smsFile = join(o.dataRoot, 'sms.jsonl');
  const direct = directNotifier({
    delivery,
    dedupe: o.dedupe,
    // The local stand-ins need no credentials: any well-formed secret does.
    secret: async (name) => (delivery.email.provider === 'smtp' && name === delivery.email.secretName ? DEV_SMTP_PASSWORD : JSON.stringify({ accessKeyId: 'local', accessKeySecret: 'local', secretId: 'local', secretKey: 'local' })),
    aliyunClient: () => new LocalAliyunClient(smsFile),
    tencentClient: () => new LocalTencentClient(smsFile),
    ...(mail ? { smtp: { host: mail.host, port: mail.port, tls: mail.tls, ca: mail.ca } } : {}),
  });
  const notifier = deliveryNotifier({ delivery, sns: () => o.sink, direct: () => recorded(direct, o.sink) });
  return {
    notifier,
    ...(mail ? { mail } : {}),
    describe: () => [
      `SMS           ${delivery.sms.provider === 'sns' ? 'local outbox (.data/outbox.jsonl)' : `${delivery.sms.provider} templates as configured; the requests it would send in ${smsFile}`}`,
      `E-mail        ${mail ? `SMTP (${mail.tls === 'implicit' ? 'TLS' : 'STARTTLS'}) to the local mail server ${mail.host}:${mail.port} (user ${mail.user}, password ${mail.password}); messages in ${mail.dir}` : 'local outbox (.data/outbox.jsonl)'}`,
    ],
    stop: async () => {
      await mail?.stop();
    },
  };
}
