// The publisher on DynamoDB Local: quiet hours per staff member, channels by preference, undeliverable addresses
// recorded on the staff member, retries with back-off, two publishers at once, and the local sink's file.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalSink } from '../../functions/adapters/local-sink';
import { TransientDeliveryError, type DeliveryResult, type Notifier, type OutboundMessage } from '../../functions/adapters/notifier';
import { Publisher } from '../../functions/app/publisher';
import { businessInstant } from '../../functions/domain/time';
import type { LocalRuntime } from '../../dev/local/runtime';
import { reminderRuntime, updateStaff } from './helpers';

const at = (date: string, hhmm: string) => businessInstant(date, hhmm);

/** A handover due 2026-03-31: at 2026-04-01 00:00 it goes overdue and the street manager of east gets an urgent notice. */
async function overdueHandover(rt: LocalRuntime, caseId = 'ho-1', subjectId = 's-000004') {
  await rt.openCase({ type: 'handover', caseId, subjectId, reason: 'resigned', separationDate: '2026-03-01' });
}

class ScriptedNotifier implements Notifier {
  readonly sent: OutboundMessage[] = [];
  constructor(private readonly script: (m: OutboundMessage, n: number) => DeliveryResult | 'throw') {}
  async send(m: OutboundMessage): Promise<DeliveryResult> {
    const r = this.script(m, this.sent.length);
    this.sent.push(m);
    if (r === 'throw') throw new TransientDeliveryError('injected');
    return r;
  }
}

describe('quiet hours and channels', () => {
  it('each staff member her own quiet hours: 23:00–07:00 gets it at 07:00, no quiet hours at 00:00', async () => {
    const sink = new LocalSink();
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { notifier: sink });
    await updateStaff(rt, 'sm-east', { quietHours: { start: '23:00', end: '07:00' } });
    await updateStaff(rt, 'sm-west', { quietHours: { start: '00:00', end: '00:00' } });
    await overdueHandover(rt, 'ho-east', 's-000004'); // east-a → sm-east
    await overdueHandover(rt, 'ho-west', 's-000007'); // west-a → sm-west
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    expect(sink.all().map((r) => [r.staffId, r.kind, r.at])).toEqual([
      ['sm-west', 'handover.overdue', at('2026-04-01', '00:00')],
      ['sm-east', 'handover.overdue', at('2026-04-01', '07:00')],
    ]);
  });

  it('both: an SMS without the case id and an e-mail with it, one dedupe key; none: nothing, the item is skipped', async () => {
    const sink = new LocalSink();
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { notifier: sink });
    await updateStaff(rt, 'sm-east', { channel: 'both', language: 'en' });
    await updateStaff(rt, 'sm-west', { channel: 'none' });
    await overdueHandover(rt, 'ho-east', 's-000004');
    await overdueHandover(rt, 'ho-west', 's-000007');
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    const [sms, email] = sink.all();
    expect(sms).toMatchObject({ channel: 'sms', staffId: 'sm-east', language: 'en', to: '+86139****0002' });
    expect(sms!.text).toBe('[shudi] 1 handover task passed its due date 2026-03-31 and moved to the street. Open: http://localhost:3000/#/queue');
    expect(email).toMatchObject({ channel: 'email', subject: 'shudi: Handover task overdue', to: 's***@example.cn', dedupeKey: sms!.dedupeKey });
    expect(email!.text).toContain('Case: ho-east');
    expect(email!.text).toContain('http://localhost:3000/#/case/ho-east');
    expect(sink.all()).toHaveLength(2);
    const west = await rt.outbox.listForStaff('sm-west');
    expect(west.filter((o) => o.template === 'handover.overdue').map((o) => [o.state, o.outcome])).toEqual([['skipped', 'channel_none']]);
  });

  it('digest items never enter the due index; urgent items do', async () => {
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { reminders: false });
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-01', '00:00'), { jobs: false });
    const due = await rt.outbox.due(at('2026-12-31', '00:00'));
    expect(due.map((o) => [o.template, o.delivery])).toEqual([['handover.overdue', 'urgent']]);
    const opened = (await rt.outbox.listForStaff('co-east-a-1', 'pending')).map((o) => [o.template, o.delivery]);
    expect(opened).toContainEqual(['handover.opened', 'digest']);
  });
});

describe('undeliverable addresses', () => {
  it('an invalid phone is flagged on the staff member, listed for managers, and the e-mail still goes; a manager clears it', async () => {
    const sink = new LocalSink();
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { notifier: sink });
    await updateStaff(rt, 'sm-east', { channel: 'both', phone: '139 0000 0002' });
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    expect(sink.all().map((r) => r.channel)).toEqual(['email']);
    const flagged = await rt.outbox.listUndeliverableStaff();
    expect(flagged.map((s) => [s.staffId, s.undeliverable])).toEqual([['sm-east', [{ channel: 'sms', reason: 'invalid_phone', at: at('2026-04-01', '08:00') }]]]);
    expect(JSON.stringify(flagged[0]!.undeliverable)).not.toContain('139');
    // Rewriting the staff record (a preference change) keeps her on the list.
    await updateStaff(rt, 'sm-east', { language: 'en' });
    expect((await rt.outbox.listUndeliverableStaff()).map((s) => s.staffId)).toEqual(['sm-east']);
    await rt.outbox.clearUndeliverable('sm-east', 'sms');
    expect(await rt.outbox.listUndeliverableStaff()).toEqual([]);
    expect((await rt.register.getStaff('sm-east'))?.undeliverable).toBeUndefined();
  });

  it('an address the provider refuses for good is flagged once and not used again; a refused message fails without a flag', async () => {
    const notifier = new ScriptedNotifier((m) => (m.channel === 'sms' ? { status: 'undeliverable', reason: 'gateway_400' } : { status: 'sent' }));
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { notifier });
    await updateStaff(rt, 'sm-east', { channel: 'both' });
    await overdueHandover(rt, 'ho-1');
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    expect(notifier.sent.map((m) => m.channel)).toEqual(['sms', 'email']);
    expect((await rt.register.getStaff('sm-east'))?.undeliverable).toEqual([{ channel: 'sms', reason: 'gateway_400', at: at('2026-04-01', '08:00') }]);
    // The next notice for her goes by e-mail only.
    await overdueHandover(rt, 'ho-2', 's-000006');
    await rt.advanceTo(at('2026-05-01', '12:00'), { jobs: false });
    expect(notifier.sent.filter((m) => m.staffId === 'sm-east').map((m) => [m.channel, m.caseId])).toEqual([
      ['sms', 'ho-1'],
      ['email', 'ho-1'],
      ['email', 'ho-2'],
    ]);

    const refusing = new ScriptedNotifier(() => ({ status: 'rejected', reason: 'sns_invalid_parameter' }));
    const rt2 = await reminderRuntime(at('2026-03-31', '20:00'), { notifier: refusing });
    await overdueHandover(rt2);
    await rt2.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    const [item] = (await rt2.outbox.listForStaff('sm-east')).filter((o) => o.template === 'handover.overdue');
    expect([item!.state, item!.outcome]).toEqual(['failed', 'sns_invalid_parameter']);
    expect(await rt2.outbox.listUndeliverableStaff()).toEqual([]);
  });
});

describe('retries', () => {
  it('a transient failure is retried with back-off (1, 2, 4 minutes …) and delivered once', async () => {
    const sink = new LocalSink();
    const notifier = new ScriptedNotifier((_m, n) => (n < 3 ? 'throw' : { status: 'sent' }));
    const wrapped: Notifier = { send: async (m) => ((await notifier.send(m)).status === 'sent' ? sink.send(m) : { status: 'rejected', reason: 'x' }) };
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { notifier: wrapped });
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-01', '12:00'), { jobs: false });
    expect(notifier.sent.map((m) => m.at)).toEqual([at('2026-04-01', '08:00'), at('2026-04-01', '08:01'), at('2026-04-01', '08:03'), at('2026-04-01', '08:07')]);
    expect(sink.all()).toHaveLength(1);
    const [item] = (await rt.outbox.listForStaff('sm-east')).filter((o) => o.template === 'handover.overdue');
    expect(item).toMatchObject({ state: 'sent', attempts: 4, channels: ['sms'] });
  });

  it('gives up after the last attempt: failed, not lost silently', async () => {
    const notifier = new ScriptedNotifier(() => 'throw');
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { notifier });
    await overdueHandover(rt);
    await rt.advanceTo(at('2026-04-02', '12:00'), { jobs: false });
    const [item] = (await rt.outbox.listForStaff('sm-east')).filter((o) => o.template === 'handover.overdue');
    expect(item).toMatchObject({ state: 'failed', outcome: 'gave_up', attempts: 8 });
  });

  it('two publishers at once: each item is claimed by one, each message sent once', async () => {
    const sink = new LocalSink();
    const rt = await reminderRuntime(at('2026-03-31', '20:00'), { reminders: false });
    for (const [id, s] of [['ho-1', 's-000004'], ['ho-2', 's-000006'], ['ho-3', 's-000005'], ['ho-4', 's-000007'], ['ho-5', 's-000009']] as const) await overdueHandover(rt, id, s);
    await rt.advanceTo(at('2026-04-01', '08:00'), { jobs: false });
    const make = () => new Publisher({ outbox: rt.outbox, cases: rt.cases, register: rt.register, notifier: sink, clock: rt.clock });
    const [a, b] = await Promise.all([make().publishDue(), make().publishDue()]);
    expect(a.outcomes.sent + b.outcomes.sent).toBe(5);
    expect(sink.sendCalls).toBe(5);
    expect(new Set(sink.all().map((r) => r.dedupeKey)).size).toBe(5);
  });
});

describe('the local sink', () => {
  it('appends to a JSON-lines file, prints one line per message without the number, and remembers what it sent across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shudi-outbox-'));
    const path = join(dir, 'nested', 'outbox.jsonl');
    const lines: string[] = [];
    const sink = new LocalSink({ path, print: (l) => lines.push(l) });
    const m: OutboundMessage = {
      dedupeKey: 'digest:co-tongqiao-1:2026-03-10',
      channel: 'sms',
      staffId: 'co-tongqiao-1',
      orgUnitId: 'tongqiao',
      kind: 'digest.daily',
      language: 'zh-CN',
      to: '+8613900000006',
      text: '【属地】2026-03-10待办：今日到期1件。详见http://localhost:3000/#/queue',
      at: at('2026-03-10', '08:30'),
    };
    expect(await sink.send(m)).toMatchObject({ status: 'sent' });
    expect(lines).toEqual(['[outbox] 2026-03-10 08:30 sms   → co-tongqiao-1 digest.daily (zh-CN) 【属地】2026-03-10待办：今日到期1件。详见http://localhost:3000/#/queue']);
    expect(readFileSync(path, 'utf8')).not.toContain('13900000006');
    const again = new LocalSink({ path });
    expect(await again.send(m)).toEqual({ status: 'duplicate' });
    expect(again.list()).toEqual([expect.objectContaining({ staffId: 'co-tongqiao-1', to: '+86139****0006', channel: 'sms' })]);
    expect(again.list({ staffId: 'someone-else' })).toEqual([]);
  });
});
