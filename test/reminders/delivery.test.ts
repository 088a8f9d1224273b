// Delivery in the China regions, on DynamoDB Local: the publisher sends SMS through a provider (Aliyun's SDK client
// with its one method mocked) and e-mail over SMTP to a real local SMTP server (smtp-server, TLS), and whatever a
// provider answers, the reminder stays in the outbox with its state: throttled → pending for a retry, a bad number
// or an unapproved template → the channel flagged, a crash after the send → delivered once. A digest read back
// from the mail server (mailparser) carries no personal data.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendSmsResponse, SendSmsResponseBody, type SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AliyunSmsClient } from '../../functions/adapters/aliyun-sms';
import { DynamoDedupeStore } from '../../functions/adapters/dedupe-store';
import { directNotifier } from '../../functions/adapters/delivery';
import { TransientDeliveryError } from '../../functions/adapters/notifier';
import { SmtpMailer, smtpTransportOptions } from '../../functions/adapters/smtp-mailer';
import { deliveryConfig, type DeliveryConfig } from '../../functions/domain/delivery-config';
import { districtConfig } from '../../functions/domain/district-config';
import { findPersonalData } from '../../functions/domain/message-templates';
import { businessInstant } from '../../functions/domain/time';
import { startLocalSmtpServer, type LocalSmtpServer } from '../../dev/local/smtp-server';
import type { LocalRuntime } from '../../dev/local/runtime';
import { testDocumentClient } from '../support/dynamodb';
import { tinyDistrict } from '../support/tiny-district';
import { reminderRuntime, updateStaff } from './helpers';

const at = (date: string, hhmm: string) => businessInstant(date, hhmm);

const delivery: DeliveryConfig = deliveryConfig.parse({
  sms: {
    provider: 'aliyun',
    signName: '示例区政务',
    secretName: 'shudi/test/tiny/sms-aliyun',
    templates: {
      'handover.overdue': { code: 'SMS_1001', params: ['dueDate'] },
      'handover.escalated_district': { code: 'SMS_1002', params: ['dueDate'] },
      'digest.daily': { code: 'SMS_1003', params: ['date', 'dueToday', 'dueSoon', 'overdue', 'newHandovers', 'updates'] },
    },
  },
  email: { provider: 'smtp', host: 'mail.tiny.example.cn', port: 465, user: 'shudi@tiny.example.cn', secretName: 'shudi/test/tiny/smtp', from: 'shudi@tiny.example.cn' },
});
const config = districtConfig.parse({ ...tinyDistrict, delivery });

/** Aliyun's SDK client with sendSms answering from a script; every request is kept. */
class ScriptedAliyun implements AliyunSmsClient {
  readonly requests: SendSmsRequest[] = [];
  constructor(private readonly answer: (req: SendSmsRequest, n: number) => string | Error) {}
  async sendSms(req: SendSmsRequest): Promise<SendSmsResponse> {
    const a = this.answer(req, this.requests.length);
    this.requests.push(req);
    if (a instanceof Error) throw a;
    return new SendSmsResponse({ statusCode: 200, headers: {}, body: new SendSmsResponseBody({ code: a, bizId: a === 'OK' ? `biz-${this.requests.length}` : undefined, requestId: 'r' }) });
  }
}

let mail: LocalSmtpServer;
const mailDir = mkdtempSync(join(tmpdir(), 'shudi-mail-'));
beforeAll(async () => {
  // The account is the district's configured SMTP user, with the development password.
  mail = await startLocalSmtpServer({ dir: mailDir, user: 'shudi@tiny.example.cn' });
});
afterAll(() => mail.stop());

const secrets: Record<string, string> = {
  'shudi/test/tiny/sms-aliyun': JSON.stringify({ accessKeyId: 'test-id', accessKeySecret: 'test-secret' }),
  'shudi/test/tiny/smtp': JSON.stringify({ password: 'dev-mail-password' }),
};

function notifierFor(rtTable: string, aliyun: ScriptedAliyun, secretReads: string[] = []) {
  return directNotifier({
    delivery,
    secret: async (name) => {
      secretReads.push(name);
      const v = secrets[name];
      if (!v) throw new Error(`no secret ${name}`);
      return v;
    },
    dedupe: new DynamoDedupeStore(testDocumentClient(), rtTable),
    aliyunClient: () => aliyun,
    // The district's mail server is the local one here: its address and its certificate; TLS and the rest as configured.
    smtp: { host: mail.host, port: mail.port, ca: mail.ca },
  });
}

async function runtimeWith(aliyun: ScriptedAliyun, start = at('2026-03-31', '20:00'), secretReads?: string[]): Promise<LocalRuntime> {
  let table = '';
  // The notifier needs the runtime's table for its dedupe keys: it is created lazily on the first send.
  let n: ReturnType<typeof notifierFor> | undefined;
  const rt = await reminderRuntime(start, { config, notifier: { send: (m) => (n ??= notifierFor(table, aliyun, secretReads)).send(m) } });
  table = rt.parts.tableName;
  return rt;
}

async function overdueHandover(rt: LocalRuntime, caseId = 'ho-1', subjectId = 's-000004') {
  await rt.openCase({ type: 'handover', caseId, subjectId, reason: 'resigned', separationDate: '2026-03-01' });
}

async function overdueItem(rt: LocalRuntime, staffId = 'sm-east') {
  return (await rt.outbox.listForStaff(staffId)).find((o) => o.template === 'handover.overdue')!;
}

describe('SMS through a provider: the reminder stays in the outbox with its state', () => {
  it('the publisher sends the mapped template; the credentials are read once, by the configured name', async () => {
    const aliyun = new ScriptedAliyun(() => 'OK');
    const reads: string[] = [];
    const rt = await runtimeWith(aliyun, undefined, reads);
    await overdueHandover(rt, 'ho-1', 's-000004');
    await overdueHandover(rt, 'ho-2', 's-000006');
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    expect(aliyun.requests.map((r) => ({ ...r }))).toEqual([
      { phoneNumbers: '13900000002', signName: '示例区政务', templateCode: 'SMS_1001', templateParam: '{"dueDate":"2026-03-31"}', outId: expect.stringMatching(/^outbox:/) },
      { phoneNumbers: '13900000002', signName: '示例区政务', templateCode: 'SMS_1001', templateParam: '{"dueDate":"2026-03-31"}', outId: expect.stringMatching(/^outbox:/) },
    ]);
    expect(reads).toEqual(['shudi/test/tiny/sms-aliyun']);
    expect(await overdueItem(rt)).toMatchObject({ state: 'sent', channels: ['sms'] });
  });

  it('throttled: the item goes back to pending with back-off, nothing is flagged, and it is sent when the provider accepts', async () => {
    const aliyun = new ScriptedAliyun((_r, n) => (n < 2 ? 'isv.BUSINESS_LIMIT_CONTROL' : 'OK'));
    const rt = await runtimeWith(aliyun);
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-01', '08:00'), { jobs: false });
    const pending = await overdueItem(rt);
    expect(pending).toMatchObject({ state: 'pending', attempts: 1, sendAfter: at('2026-04-01', '08:01') });
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    expect(aliyun.requests).toHaveLength(3);
    expect(await overdueItem(rt)).toMatchObject({ state: 'sent', attempts: 3, channels: ['sms'] });
    expect(await rt.outbox.listUndeliverableStaff()).toEqual([]);
  });

  it('a provider that keeps failing: the item is kept, failed after its last attempt, with the outcome', async () => {
    const aliyun = new ScriptedAliyun(() => Object.assign(new Error('ServiceUnavailable'), { name: 'ServerError', code: 'ServiceUnavailable' }));
    const rt = await runtimeWith(aliyun);
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-02', '12:00'), { jobs: false });
    expect(aliyun.requests).toHaveLength(8);
    expect(await overdueItem(rt)).toMatchObject({ state: 'failed', outcome: 'gave_up', attempts: 8 });
  });

  it('a bad number, or an unapproved template: the SMS channel is flagged with the provider code, the item failed, never retried', async () => {
    for (const code of ['isv.MOBILE_NUMBER_ILLEGAL', 'isv.SMS_TEMPLATE_ILLEGAL']) {
      const aliyun = new ScriptedAliyun(() => code);
      const rt = await runtimeWith(aliyun);
      await overdueHandover(rt);
      await rt.advanceTo(at('2026-04-02', '12:00'), { jobs: false });
      expect(aliyun.requests).toHaveLength(1);
      expect(await overdueItem(rt)).toMatchObject({ state: 'failed', outcome: 'undeliverable' });
      const cls = code === 'isv.MOBILE_NUMBER_ILLEGAL' ? 'bad_number' : 'template';
      expect((await rt.register.getStaff('sm-east'))?.undeliverable).toEqual([{ channel: 'sms', reason: `sms_${cls}:${code}`, at: at('2026-04-01', '08:00') }]);
    }
  });

  it('a publisher that crashes after the provider accepted: the next attempt finds the dedupe key, the phone gets it once', async () => {
    const aliyun = new ScriptedAliyun(() => 'OK');
    let table = '';
    let n: ReturnType<typeof notifierFor> | undefined;
    let crashed = false;
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), {
      config,
      notifier: { send: (m) => (n ??= notifierFor(table, aliyun)).send(m) },
      publisherFault: (step) => {
        if (step === 'after_send' && !crashed) {
          crashed = true;
          throw new Error('injected crash after the send');
        }
      },
    });
    table = rt.parts.tableName;
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false }).catch(() => undefined);
    await rt.advanceTo(at('2026-04-01', '13:00'), { jobs: false });
    expect(crashed).toBe(true);
    expect(aliyun.requests).toHaveLength(1);
    expect(await overdueItem(rt)).toMatchObject({ state: 'sent', channels: ['sms'] });
  });
});

describe('e-mail over SMTP to the district mail server (a real SMTP server on this machine)', () => {
  it('a daily digest goes through SMTP over TLS, is stored by the server, and read back carries no personal data', async () => {
    const aliyun = new ScriptedAliyun(() => 'OK');
    const rt = await runtimeWith(aliyun, at('2026-03-09', '07:00'));
    // Recognisable personal data on the recipient: none of it may reach the message.
    await updateStaff(rt, 'co-east-a-2', { channel: 'email', language: 'zh-CN', name: '王秀英', phone: '+8613912345678', email: 'wang.xiuying@tiny.example.cn' });
    await rt.openCase({ type: 'handover', caseId: 'ho-A', subjectId: 's-000004', reason: 'resigned', separationDate: '2026-02-08' });
    const before = new Set(mail.files());
    await rt.advanceTo(at('2026-03-09', '09:00'));
    const stored = mail.files().filter((f) => !before.has(f));
    const parsed = await Promise.all(stored.map(async (f) => simpleParser(readFileSync(f))));
    const digest = parsed.find((p) => (Array.isArray(p.to) ? p.to[0] : p.to)?.text === 'wang.xiuying@tiny.example.cn');
    expect(digest, 'the digest e-mail is on the mail server').toBeDefined();
    expect(digest!.subject).toBe('属地：2026-03-09每日待办');
    expect(digest!.from?.text).toBe('shudi@tiny.example.cn');
    expect(digest!.text).toContain('2026-03-09待办：今日到期0件，3日内到期1件');
    expect(digest!.text).toContain('ho-A');
    expect(digest!.messageId).toMatch(/^<[0-9a-f]{32}@tiny\.example\.cn>$/);
    // No personal data anywhere in the message as stored: not the recipient's name or phone, nothing the scan finds
    // once the case ids and the link are blanked (a subject is named by her pseudonymous id only).
    const raw = readFileSync(stored[parsed.indexOf(digest!)]!, 'utf8');
    for (const s of ['王秀英', '13912345678', 'Staff co-east-a-2']) expect(raw).not.toContain(s);
    const body = `${digest!.subject}\n${digest!.text}`.replace(/ho-A/g, ' ').replace(/http:\/\/localhost:3000\/#\/queue/g, ' ');
    expect(findPersonalData(body)).toEqual([]);
    const item = (await rt.outbox.listForStaff('co-east-a-2')).find((o) => o.template === 'digest.daily');
    expect(item).toMatchObject({ state: 'sent', channels: ['email'] });
  });

  it('a refused recipient (550) flags the e-mail channel; the item is failed, not lost', async () => {
    const rt = await runtimeWith(new ScriptedAliyun(() => 'OK'));
    await updateStaff(rt, 'sm-east', { channel: 'email', email: 'sm-east@mailbox.invalid' });
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    expect(await overdueItem(rt)).toMatchObject({ state: 'failed', outcome: 'undeliverable' });
    expect((await rt.register.getStaff('sm-east'))?.undeliverable).toEqual([{ channel: 'email', reason: 'smtp_bad_address:550', at: at('2026-04-01', '08:00') }]);
  });

  const message = { dedupeKey: 'outbox:t1', channel: 'email' as const, staffId: 'sm-east', orgUnitId: 'east', kind: 'handover.overdue', language: 'en' as const, to: 'sm-east@tiny.example.cn', subject: 's', text: 't', at: at('2026-04-01', '08:00') };
  const mailer = (o: Partial<ConstructorParameters<typeof SmtpMailer>[0]>) =>
    new SmtpMailer({ host: mail.host, port: mail.port, tls: 'implicit', user: mail.user, password: mail.password, from: 'shudi@tiny.example.cn', ca: mail.ca, timeouts: { connection: 3, greeting: 3, socket: 5 }, ...o });

  it('TLS is required: a server offering no TLS, or a certificate nobody vouches for, gets nothing; a wrong password is retried', async () => {
    expect(smtpTransportOptions({ host: 'h', port: 587, tls: 'starttls', user: 'u', password: 'p', from: 'a@b.cn' })).toMatchObject({ secure: false, requireTLS: true, tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' } });
    const plainDir = mkdtempSync(join(tmpdir(), 'shudi-plain-'));
    const { SMTPServer } = await import('smtp-server');
    const plain = new SMTPServer({ secure: false, hideSTARTTLS: true, authOptional: true, allowInsecureAuth: true, logger: false, onData: (s, _x, cb) => s.resume().on('end', () => cb()) });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
    const plainPort = (plain.server.address() as { port: number }).port;
    try {
      const before = mail.files().length;
      await expect(mailer({ port: plainPort, tls: 'starttls' }).send(message)).rejects.toBeInstanceOf(TransientDeliveryError);
      await expect(mailer({ ca: undefined }).send(message)).rejects.toBeInstanceOf(TransientDeliveryError);
      await expect(mailer({ password: 'wrong' }).send(message)).rejects.toBeInstanceOf(TransientDeliveryError);
      expect(mail.files().length).toBe(before);
      expect(await mailer({}).send(message)).toMatchObject({ status: 'sent' });
      expect(mail.files().length).toBe(before + 1);
    } finally {
      await new Promise<void>((r) => plain.close(() => r()));
      void plainDir;
    }
  });

  it('STARTTLS: the local server offers it before AUTH, and the mailer uses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shudi-starttls-'));
    const server = await startLocalSmtpServer({ dir, tls: 'starttls', user: mail.user });
    try {
      expect(await mailer({ port: server.port, tls: 'starttls', ca: server.ca }).send(message)).toMatchObject({ status: 'sent' });
      expect(server.files()).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});

describe("deliverMessage's table access", () => {
  it('claims, finishes and releases dedupe keys with PutItem and UpdateItem only: what infra/reminder-delivery.ts grants', async () => {
    const { documentClient } = await import('../../functions/store/client');
    const { ensureTable } = await import('../../functions/store/ensure-table');
    const { testDynamoClient, uniqueTableName } = await import('../support/dynamodb');
    const { deliverMessageAccess } = await import('../../infra/reminder-delivery');
    const client = testDynamoClient();
    const table = uniqueTableName('deliver');
    await ensureTable(client, table);
    const used = new Set<string>();
    client.middlewareStack.add((next, context) => (args) => (used.add(String(context.commandName).replace(/Command$/, '')), next(args)), { step: 'initialize' });
    let n = 0;
    const answers = ['isv.BUSINESS_LIMIT_CONTROL', 'OK', 'isv.MOBILE_NUMBER_ILLEGAL'];
    const notifier = directNotifier({
      delivery,
      secret: async (name) => secrets[name]!,
      dedupe: new DynamoDedupeStore(documentClient(client), table),
      aliyunClient: () => new ScriptedAliyun(() => answers[n++] ?? 'OK'),
      smtp: { host: mail.host, port: mail.port, ca: mail.ca },
    });
    const sms = { dedupeKey: 'outbox:acc-1', channel: 'sms' as const, staffId: 'sm-east', orgUnitId: 'east', kind: 'handover.overdue', language: 'zh-CN' as const, to: '+8613900000002', text: 't', params: { dueDate: '2026-03-31' }, at: at('2026-04-01', '08:00') };
    await expect(notifier.send(sms)).rejects.toBeInstanceOf(TransientDeliveryError); // throttled: claim, release
    expect(await notifier.send(sms)).toMatchObject({ status: 'sent' }); // claim, finish
    expect(await notifier.send(sms)).toEqual({ status: 'duplicate' }); // the key is done
    expect(await notifier.send({ ...sms, dedupeKey: 'outbox:acc-2' })).toMatchObject({ status: 'undeliverable' }); // claim, release
    expect(await notifier.send({ ...sms, channel: 'email', dedupeKey: 'outbox:acc-3', to: 'sm-east@tiny.example.cn', subject: 's' })).toMatchObject({ status: 'sent' });
    used.delete('CreateTable');
    used.delete('DescribeTable');
    used.delete('UpdateTimeToLive');
    expect([...used].sort()).toEqual([...deliverMessageAccess.table].sort());
  });
});
