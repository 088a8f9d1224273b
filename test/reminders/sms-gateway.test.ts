// The SMS gateway path of the China regions, against a real HTTP server on 127.0.0.1: HttpSmsGateway's request and
// its mapping of answers, and the SNS→Lambda subscriber that dedupes before it calls the gateway, so a message
// delivered twice by SNS (or published twice by a retried publisher) reaches the phone once.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDedupeStore, InMemoryDedupeStore, type DedupeStore } from '../../functions/adapters/dedupe-store';
import { TransientDeliveryError } from '../../functions/adapters/notifier';
import { HttpSmsGateway } from '../../functions/adapters/sms-gateway';
import { createSmsGatewaySubscriber, RetryLater } from '../../functions/adapters/sms-gateway-subscriber';
import { VirtualClock } from '../../functions/domain/clock';
import type { UndeliverableFlag } from '../../functions/domain/people';
import { ensureTable } from '../../functions/store/ensure-table';
import { testDocumentClient, testDynamoClient, uniqueTableName } from '../support/dynamodb';

const SECRET = 'test-secret-not-real';

/** A provider stand-in: numbers ending 0002 are invalid (400), 0003 fail once with 503, 0004 hang; it dedupes on dedupeKey with 409. */
class FakeProvider {
  server!: Server;
  url = '';
  requests: { auth?: string; body: { to: string; text: string; dedupeKey: string } }[] = [];
  /** Messages that reached a phone, by dedupeKey. */
  delivered = new Map<string, number>();
  private failedOnce = new Set<string>();

  async start() {
    this.server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string; dedupeKey: string };
      this.requests.push({ auth: req.headers.authorization, body });
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== `Bearer ${SECRET}`) return reply(401, { code: 'unauthorized' });
      if (body.to.endsWith('0002')) return reply(400, { code: 'isv.MOBILE_NUMBER_ILLEGAL' });
      if (body.to.endsWith('0003') && !this.failedOnce.has(body.dedupeKey)) {
        this.failedOnce.add(body.dedupeKey);
        return reply(503, { code: 'busy' });
      }
      if (body.to.endsWith('0004')) return; // never answers
      if (this.delivered.has(body.dedupeKey)) return reply(409, { code: 'duplicate' });
      this.delivered.set(body.dedupeKey, 1);
      return reply(200, { id: `p-${this.delivered.size}` });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }

  stop() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

const provider = new FakeProvider();
beforeAll(() => provider.start());
afterAll(() => provider.stop());
beforeEach(() => {
  provider.requests = [];
  provider.delivered.clear();
});

function snsEvent(staffId: string, dedupeKey: string, text = '【属地】2026-03-10待办：今日到期1件。详见http://localhost:3000/#/queue', messageId = `m-${dedupeKey}`): SNSEvent {
  const attr = (Value: string) => ({ Type: 'String', Value });
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws-cn:sns:cn-north-1:1:topic:sub',
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: 'arn:aws-cn:sns:cn-north-1:1:topic',
          Subject: '',
          Message: text,
          Timestamp: '2026-03-10T00:30:00.000Z',
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: { channel: attr('sms'), staffId: attr(staffId), dedupeKey: attr(dedupeKey), kind: attr('digest.daily'), language: attr('zh-CN'), orgUnitId: attr('east-a') },
        },
      },
    ],
  };
}

describe('HttpSmsGateway', () => {
  it('POSTs {to, text, dedupeKey} as JSON with the bearer secret; 2xx accepted, 409 duplicate', async () => {
    const gw = new HttpSmsGateway({ url: provider.url, secret: SECRET });
    expect(await gw.send({ to: '+8613900000001', text: 'hello', dedupeKey: 'k1' })).toEqual({ status: 'accepted', providerId: 'p-1' });
    expect(provider.requests[0]).toEqual({ auth: `Bearer ${SECRET}`, body: { to: '+8613900000001', text: 'hello', dedupeKey: 'k1' } });
    expect(await gw.send({ to: '+8613900000001', text: 'hello', dedupeKey: 'k1' })).toEqual({ status: 'duplicate' });
  });

  it('4xx is a permanent refusal with the provider code; 5xx and a timeout are transient; errors never carry the number', async () => {
    const gw = new HttpSmsGateway({ url: provider.url, secret: SECRET, timeoutMs: 300 });
    expect(await gw.send({ to: '+8613900000002', text: 'x', dedupeKey: 'k2' })).toEqual({ status: 'rejected', reason: 'gateway_400:isv.MOBILE_NUMBER_ILLEGAL' });
    const e503 = await gw.send({ to: '+8613900000003', text: 'x', dedupeKey: 'k3' }).catch((e: unknown) => e);
    expect(e503).toBeInstanceOf(TransientDeliveryError);
    expect(String((e503 as Error).message)).not.toContain('13900000003');
    await expect(gw.send({ to: '+8613900000004', text: 'x', dedupeKey: 'k4' })).rejects.toBeInstanceOf(TransientDeliveryError);
    expect(await new HttpSmsGateway({ url: provider.url, secret: 'wrong' }).send({ to: '+8613900000001', text: 'x', dedupeKey: 'k5' })).toEqual({ status: 'rejected', reason: 'gateway_401:unauthorized' });
    await expect(new HttpSmsGateway({ url: 'http://127.0.0.1:1/sms', secret: SECRET }).send({ to: '+8613900000001', text: 'x', dedupeKey: 'k6' })).rejects.toBeInstanceOf(TransientDeliveryError);
  });
});

describe('the SNS → Lambda subscriber', () => {
  const phones: Record<string, string> = { ok: '+8613900000001', bad: '+8613900000002', flaky: '+8613900000003', typo: '139 0000 0001' };

  function setup(dedupe: DedupeStore = new InMemoryDedupeStore()) {
    const flags: { staffId: string; flag: UndeliverableFlag }[] = [];
    const handler = createSmsGatewaySubscriber({
      gateway: new HttpSmsGateway({ url: provider.url, secret: SECRET }),
      dedupe,
      phoneOf: async (id) => phones[id],
      flagUndeliverable: async (staffId, flag) => flags.push({ staffId, flag }),
      clock: new VirtualClock('2026-03-10T00:30:00.000Z'),
    });
    return { handler, flags, dedupe };
  }

  it('sends once however often SNS delivers the same message; the phone comes from the register, not the message', async () => {
    const { handler } = setup();
    expect((await handler(snsEvent('ok', 'digest:ok:2026-03-10'))).outcomes[0]!.outcome).toBe('sent');
    expect((await handler(snsEvent('ok', 'digest:ok:2026-03-10', undefined, 'm-redelivered'))).outcomes[0]!.outcome).toBe('duplicate');
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0]!.body.to).toBe('+8613900000001');
    expect(provider.delivered.get('digest:ok:2026-03-10')).toBe(1);
  });

  it('a gateway 4xx flags the staff member (no retry); a bad number in the register too, without calling the gateway', async () => {
    const { handler, flags } = setup();
    expect((await handler(snsEvent('bad', 'outbox:b1'))).outcomes[0]!.outcome).toBe('rejected');
    expect((await handler(snsEvent('bad', 'outbox:b1'))).outcomes[0]!.outcome).toBe('duplicate');
    expect((await handler(snsEvent('typo', 'outbox:t1'))).outcomes[0]!.outcome).toBe('no_phone');
    expect(flags).toEqual([
      { staffId: 'bad', flag: { channel: 'sms', reason: 'gateway_400:isv.MOBILE_NUMBER_ILLEGAL', at: '2026-03-10T00:30:00.000Z' } },
      { staffId: 'typo', flag: { channel: 'sms', reason: 'invalid_phone', at: '2026-03-10T00:30:00.000Z' } },
    ]);
    expect(provider.requests).toHaveLength(1);
  });

  it('a 5xx fails the invocation (Lambda retries it); the retry sends it; the phone gets it once', async () => {
    const { handler } = setup();
    await expect(handler(snsEvent('flaky', 'outbox:f1'))).rejects.toBeInstanceOf(TransientDeliveryError);
    expect((await handler(snsEvent('flaky', 'outbox:f1'))).outcomes[0]!.outcome).toBe('sent');
    expect((await handler(snsEvent('flaky', 'outbox:f1'))).outcomes[0]!.outcome).toBe('duplicate');
    expect(provider.requests).toHaveLength(2);
    expect(provider.delivered.get('outbox:f1')).toBe(1);
  });

  it('hands a template-only provider the kind and the whitelisted params (never anything else)', async () => {
    const seen: unknown[] = [];
    const handler = createSmsGatewaySubscriber({
      gateway: { send: async (req) => (seen.push(req.template), { status: 'accepted' }) },
      dedupe: new InMemoryDedupeStore(),
      phoneOf: async () => '+8613900000001',
      flagUndeliverable: async () => undefined,
      clock: new VirtualClock('2026-03-10T00:30:00.000Z'),
    });
    const e = snsEvent('ok', 'outbox:p1');
    e.Records[0]!.Sns.MessageAttributes.params = { Type: 'String', Value: '{"date":"2026-03-10","dueToday":1,"overdue":0}' };
    await handler(e);
    const bad = snsEvent('ok', 'outbox:p2');
    bad.Records[0]!.Sns.MessageAttributes.params = { Type: 'String', Value: '{"name":"李秘密"}' };
    await handler(bad);
    expect(seen).toEqual([{ kind: 'digest.daily', language: 'zh-CN', params: { date: '2026-03-10', dueToday: 1, overdue: 0 } }, undefined]);
  });

  it('ignores messages of other channels', async () => {
    const { handler } = setup();
    const e = snsEvent('ok', 'outbox:e1');
    e.Records[0]!.Sns.MessageAttributes.channel = { Type: 'String', Value: 'email' };
    expect((await handler(e)).outcomes[0]!.outcome).toBe('ignored');
    expect(provider.requests).toHaveLength(0);
  });

  it('with the dedupe record in DynamoDB: claim, done, busy while another attempt holds it, taken over after its lease', async () => {
    const table = uniqueTableName('dedupe');
    await ensureTable(testDynamoClient(), table);
    const store = new DynamoDedupeStore(testDocumentClient(), table);
    const t0 = '2026-03-10T00:30:00.000Z';
    expect(await store.claim('k#sms', t0, 60_000)).toBe('claimed');
    expect(await store.claim('k#sms', '2026-03-10T00:30:30.000Z', 60_000)).toBe('busy');
    expect(await store.claim('k#sms', '2026-03-10T00:31:01.000Z', 60_000)).toBe('claimed'); // the first holder crashed
    await store.finish('k#sms', 'sent', '2026-03-10T00:31:02.000Z');
    expect(await store.claim('k#sms', '2026-03-10T09:00:00.000Z', 60_000)).toBe('done');
    expect(await store.claim('j#sms', t0, 60_000)).toBe('claimed');
    await store.release('j#sms');
    expect(await store.claim('j#sms', t0, 60_000)).toBe('claimed');

    const { handler } = setup(store);
    expect((await handler(snsEvent('ok', 'outbox:d1'))).outcomes[0]!.outcome).toBe('sent');
    expect((await handler(snsEvent('ok', 'outbox:d1'))).outcomes[0]!.outcome).toBe('duplicate');
    expect(provider.delivered.get('outbox:d1')).toBe(1);
  });

  it('a record held by another attempt is retried later, not dropped', async () => {
    const dedupe = new InMemoryDedupeStore();
    await dedupe.claim('outbox:h1#sms', '2026-03-10T00:30:00.000Z', 120_000);
    const { handler } = setup(dedupe);
    await expect(handler(snsEvent('ok', 'outbox:h1'))).rejects.toBeInstanceOf(RetryLater);
  });
});
