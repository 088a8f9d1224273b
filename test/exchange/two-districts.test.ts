// Two districts on DynamoDB Local and the local bus: a move out and its receipt, a verification request and its
// feedback, with faults injected on the way (a dropped message, duplicates, a dispatcher crash after sending and
// before marking sent). Nothing is lost (every message is acknowledged in the end) and nothing is applied twice.
import { describe, expect, it } from 'vitest';
import { ExchangeDispatcher } from '../../functions/app/exchange-dispatcher';
import { messageIdOf } from '../../functions/domain/exchange';
import type { ExchangeMessage } from '../../functions/store/keys';
import { pumpExchange } from '../../dev/local/local-bus';
import { CHUANHUI, YILING, putSubject, twoDistricts, type Node } from './support';

const START = '2026-03-02T02:00:00.000Z'; // Monday 10:00 in Asia/Shanghai
const MINUTE = 60_000;

async function allMessages(n: Node, ids: string[]): Promise<ExchangeMessage[]> {
  return (await Promise.all(ids.map((id) => n.x.store.get(id)))).filter((m): m is ExchangeMessage => !!m);
}

describe('the exchange between two districts', () => {
  it('moves a subject out with its receipt and verifies a certificate with its origin, through drops, duplicates and a crash', async () => {
    let crashes = 0;
    const { clock, bus, chuanhui, yiling } = await twoDistricts(START, {
      fault: (step, claimed) => {
        // The receipt's first send crashes after the bus took it and before it is marked sent.
        if (step === 'after_send' && crashes === 0 && claimed.some((m) => m.type === 'handover_receipt')) {
          crashes++;
          throw new Error('injected crash after send');
        }
      },
    });
    const dropped = new Set<string>();
    bus.faults = {
      // The first delivery of the handover is lost in transit.
      drop: (m) => m.type === 'handover_out' && !dropped.has(m.messageId) && !!dropped.add(m.messageId),
      // Every request, feedback and ack is delivered twice.
      duplicate: (m) => m.type !== 'handover_out',
    };
    const dispatchers = [chuanhui.dispatcher, yiling.dispatcher];
    const settle = async () => {
      for (let i = 0; i < 20; i++) {
        await pumpExchange(dispatchers);
        const due = [...(await chuanhui.x.store.due('9999')), ...(await yiling.x.store.due('9999'))].filter((m) => m.state === 'pending' || (m.state === 'sent' && m.type !== 'ack'));
        if (due.length === 0) return;
        clock.advance(Math.max(...due.map((m) => Date.parse(m.nextAttemptAt))) - clock.now().getTime() + 1);
      }
      throw new Error('the exchange never settled');
    };

    // --- A move out of Chuanhui's East A to Yiling's West A -------------------------------------------------------
    await putSubject(chuanhui.rt, { subjectId: 'mover-1', class: 'primary', communityId: 'east-a', registeredOn: '2024-05-01' });
    const out = await chuanhui.x.service.handoverOut(
      { caseId: 'ho-out-1', subjectId: 'mover-1', toRegion: YILING, toCommunityId: 'west-a', moveDate: '2026-02-27' },
      { kind: 'staff', staffId: 'co-east-a-1' },
      'east-a',
    );
    expect(out.created).toBe(true);
    expect(out.case).toMatchObject({ type: 'handover', state: 'awaiting_ack', queueOrgUnitId: 'east-a', ownerOrgUnitId: 'east-a' });
    // Pending on its case until acknowledged.
    const [handoverMsg] = await chuanhui.x.service.messagesOf('ho-out-1');
    expect(handoverMsg).toMatchObject({ type: 'handover_out', to: YILING, route: 'bus', state: 'pending' });

    await pumpExchange(dispatchers);
    expect(dropped.size).toBe(1);
    expect((await chuanhui.x.store.get(handoverMsg!.messageId))?.state).toBe('sent'); // sent, never acknowledged
    expect((await yiling.rt.cases.listQueue('west-a', 'open')).items).toHaveLength(0);
    await settle(); // the re-send after the back-off arrives

    const queue = (await yiling.rt.cases.listQueue('west-a', 'open')).items;
    expect(queue).toHaveLength(1);
    const inbound = queue[0]!;
    expect(inbound).toMatchObject({ type: 'handover', state: 'awaiting_ack', subjectId: `x${CHUANHUI}-mover-1` });
    expect(inbound.data).toMatchObject({ fromRegion: CHUANHUI, fromCaseId: 'ho-out-1' });
    expect(await yiling.rt.register.getSubject(`x${CHUANHUI}-mover-1`)).toMatchObject({ communityId: 'west-a' });
    expect((await chuanhui.x.store.get(handoverMsg!.messageId))?.state).toBe('acked');

    // Yiling's community acknowledges: the receipt goes back (its first send crashes before it is marked).
    await yiling.rt.service.act(inbound.caseId, { action: 'acknowledge' }, { kind: 'staff', staffId: 'co-west-a-1' }, 'ack-1', 'west-a');
    await settle();
    expect(crashes).toBe(1);
    const sending = await chuanhui.rt.cases.getWithHistory('ho-out-1');
    expect(sending?.case).toMatchObject({ status: 'done', state: 'acknowledged' });
    expect(sending?.history.filter((h) => h.action === 'receipt')).toHaveLength(1);
    expect(sending?.history.at(-1)).toMatchObject({ action: 'receipt', actor: { kind: 'system', process: 'exchange' }, reason: `receipt from ${YILING}` });
    expect(sending?.timers).toEqual([]);
    expect(await chuanhui.rt.register.getSubject('mover-1')).toMatchObject({ leftOn: sending?.case.data.acknowledgedOn });

    // --- A mobile woman from Yiling registers in Chuanhui's East B: her certificate is verified with Yiling ----------
    await putSubject(chuanhui.rt, { subjectId: 'mobile-1', class: 'mobile', communityId: 'east-b', registeredOn: '2026-03-01', originRegion: YILING });
    await chuanhui.rt.service.open(
      { type: 'certificate_check', caseId: 'cc-1', subject: { subjectId: 'mobile-1', class: 'mobile', communityId: 'east-b' }, task: 'verify', startDate: '2026-03-01' },
      { kind: 'staff', staffId: 'co-east-b-1' },
    );
    const sub = await chuanhui.rt.cases.get('cc-1.origin', true);
    expect(sub).toMatchObject({ type: 'certificate_check', state: 'awaiting_outcome', parentCaseId: 'cc-1', queueOrgUnitId: 'east-b' });
    expect(sub?.data).toMatchObject({ task: 'origin', originRegion: YILING });
    await settle();

    const requests = (await yiling.rt.cases.listQueue('yiling', 'open')).items.filter((c) => c.data.task === 'answer');
    expect(requests).toHaveLength(1); // delivered twice, opened once
    await yiling.x.service.answer(requests[0]!.caseId, 'valid', '2026-03-02', { kind: 'staff', staffId: 'dm-yiling' }, 'yiling');
    await settle();
    const closedSub = await chuanhui.rt.cases.getWithHistory('cc-1.origin');
    expect(closedSub?.case).toMatchObject({ status: 'done', state: 'valid' });
    expect(closedSub?.history.map((h) => h.action)).toEqual(['open', 'verification_answer']);

    // The community finds her certificate valid: the feedback goes to her origin (not to a pending item nothing sends).
    await chuanhui.rt.service.act('cc-1', { action: 'record_outcome', outcome: 'valid', date: '2026-03-02' }, { kind: 'staff', staffId: 'co-east-b-1' }, 'cc-valid', 'east-b');
    expect(await chuanhui.rt.cases.pendingFeedback()).toEqual([]);
    await settle();
    const feedback = (await chuanhui.x.service.messagesOf('cc-1')).find((m) => m.type === 'verification_feedback');
    expect(feedback).toMatchObject({ to: YILING, state: 'acked' });
    expect(await yiling.x.store.getReceipt(CHUANHUI, feedback!.messageId)).toMatchObject({ outcome: 'applied' });

    // --- Nothing lost, nothing applied twice ----------------------------------------------------------------------
    expect(bus.stats.duplicated).toBeGreaterThan(3);
    expect(bus.stats.outcomes.duplicate).toBeGreaterThan(3);
    const report = await chuanhui.x.service.report({ id: 'chuanhui', kind: 'district' }, '2026-03-01', '2026-03-31');
    expect(report.total).toMatchObject({ created: 3, sent: 3, acknowledged: 3, overdue: 0, failed: 0 });
    expect(report.submissionRate).toBe(1);
    expect(report.feedbackRate).toBe(1);
    const yReport = await yiling.x.service.report({ id: 'yiling', kind: 'district' }, '2026-03-01', '2026-03-31');
    expect(yReport.total).toMatchObject({ created: 2, acknowledged: 2, failed: 0 });
    // Each inbound message applied once: one receipt record per message, one case per opening message.
    const yCases = [...(await yiling.rt.cases.listQueue('west-a', 'done')).items, ...(await yiling.rt.cases.listQueue('yiling', 'done')).items];
    expect(yCases.map((c) => c.caseId).sort()).toEqual([inbound.caseId, requests[0]!.caseId].sort());
    expect(await allMessages(chuanhui, [handoverMsg!.messageId])).toHaveLength(1);
  });

  it('an ack is claimed as delivered in one write: lost in a crash after that claim, or not taken by the bus, it still arrives, and nothing is applied twice', async () => {
    let crashed = 0;
    const { clock, bus, chuanhui, yiling } = await twoDistricts(START);
    // Yiling's bus refuses every ack the first time it is offered (a PutEvents entry with an ErrorCode).
    const refusedOnce = new Set<string>();
    const yDispatcher = new ExchangeDispatcher({
      store: yiling.x.store,
      clock,
      fault: (step, claimed) => {
        if (step === 'after_claim' && crashed === 0 && claimed.some((m) => m.type === 'ack')) {
          crashed++;
          throw new Error('injected crash after claiming an ack');
        }
      },
      bus: {
        send: async (msgs) => {
          const refuse = msgs.filter((m) => m.type === 'ack' && crashed > 0 && !refusedOnce.has(m.messageId));
          for (const m of refuse) refusedOnce.add(m.messageId);
          const r = await bus.send(msgs.filter((m) => !refuse.includes(m)));
          return { failed: [...r.failed, ...refuse.map((m) => ({ messageId: m.messageId, reason: 'ThrottlingException' }))] };
        },
      },
    });
    const dispatchers = [chuanhui.dispatcher, yDispatcher];
    await putSubject(chuanhui.rt, { subjectId: 'mover-3', class: 'primary', communityId: 'east-a', registeredOn: '2024-05-01' });
    await chuanhui.x.service.handoverOut({ caseId: 'ho-out-3', subjectId: 'mover-3', toRegion: YILING, toCommunityId: 'west-a', moveDate: '2026-02-27' }, { kind: 'system', process: 'test' });
    const [m] = await chuanhui.x.service.messagesOf('ho-out-3');

    // The first round: applied at Yiling, its ack claimed as delivered, then the crash before it went on the bus.
    await pumpExchange(dispatchers);
    expect(crashed).toBe(1);
    expect((await chuanhui.x.store.get(m!.messageId))?.state).toBe('sent');
    // The sender's re-send after its back-off: a repeat at Yiling, whose ack goes back to pending; then the bus refuses
    // it once (back to pending, with its own back-off), and the next send gets through.
    let ackAfterRefusal: ExchangeMessage | undefined;
    for (let i = 0; i < 10 && (await chuanhui.x.store.get(m!.messageId))?.state !== 'acked'; i++) {
      const due = [...(await chuanhui.x.store.due('9999')), ...(await yiling.x.store.due('9999'))];
      if (due.length > 0) clock.advance(Math.max(0, Math.min(...due.map((d) => Date.parse(d.nextAttemptAt))) - clock.now().getTime()) + 1);
      await pumpExchange(dispatchers);
      if (refusedOnce.size === 1 && !ackAfterRefusal) ackAfterRefusal = await yiling.x.store.get(messageIdOf('ack', YILING, CHUANHUI, `ack:${m!.messageId}`));
    }
    expect(refusedOnce.size).toBe(1);
    // Not taken by the bus: back to pending, due again after its back-off (not left as delivered).
    expect(ackAfterRefusal).toMatchObject({ type: 'ack', state: 'pending', attempts: 2 });
    expect(ackAfterRefusal!.nextAttemptAt > ackAfterRefusal!.sentAt!).toBe(true);
    expect(await chuanhui.x.store.get(m!.messageId)).toMatchObject({ state: 'acked', ackOutcome: 'applied' });
    expect(bus.stats.outcomes.duplicate).toBeGreaterThanOrEqual(1);
    // Applied once: one inbound case, one receipt; the ack is delivered and off the due index.
    expect((await yiling.rt.cases.listQueue('west-a', 'open')).items).toHaveLength(1);
    expect(await yiling.x.store.getReceipt(CHUANHUI, m!.messageId)).toMatchObject({ outcome: 'applied' });
    expect(await yiling.x.store.due('9999')).toEqual([]);
  });

  it('refuses a message it cannot apply, with an ack that tells the sender, and writes nothing else', async () => {
    const { chuanhui, yiling } = await twoDistricts(START);
    await putSubject(chuanhui.rt, { subjectId: 'mover-2', class: 'primary', communityId: 'east-a', registeredOn: '2024-05-01' });
    await chuanhui.x.service.handoverOut({ caseId: 'ho-out-2', subjectId: 'mover-2', toRegion: YILING, toCommunityId: 'no-such-community', moveDate: '2026-02-27' }, { kind: 'system', process: 'test' });
    await pumpExchange([chuanhui.dispatcher, yiling.dispatcher]);
    const [m] = await chuanhui.x.service.messagesOf('ho-out-2');
    expect(m).toMatchObject({ state: 'failed', ackOutcome: 'refused' });
    expect(await yiling.rt.register.getSubject(`x${CHUANHUI}-mover-2`)).toBeUndefined();
    expect((await yiling.rt.cases.listOpenUnder({ id: 'yiling', kind: 'district' })).items).toEqual([]);
    const report = await chuanhui.x.service.report({ id: 'east-a', kind: 'community' }, '2026-03-01', '2026-03-31');
    expect(report.total).toMatchObject({ created: 1, failed: 1, acknowledged: 0 });
  });

  it('drops an invalid envelope and one from a region that is not a partner, writing nothing', async () => {
    const { yiling } = await twoDistricts(START);
    const valid = {
      v: 1,
      messageId: 'AAAAAAAAAAAAAAAAAAAAAA',
      type: 'verification_request',
      from: CHUANHUI,
      to: YILING,
      createdAt: START,
      body: { caseId: 'cc-9.origin', subjectRef: 's-9', registeredOn: '2026-03-01', answerBy: '2026-03-31' },
    };
    const bad = await yiling.x.receiver.receive({ ...valid, body: { ...valid.body, name: '张三' } });
    expect(bad.outcome).toBe('invalid');
    expect(bad.reason).toContain('body');
    expect(bad.reason).not.toContain('张三');
    expect((await yiling.x.receiver.receive({ ...valid, from: '110101' })).outcome).toBe('refused');
    expect((await yiling.x.receiver.receive({ ...valid, to: '110101' })).outcome).toBe('invalid');
    expect(await yiling.x.store.getReceipt(CHUANHUI, valid.messageId)).toBeUndefined();
    expect((await yiling.rt.cases.listOpenUnder({ id: 'yiling', kind: 'district' })).items).toEqual([]);
    // The same message, valid, is applied once however often it comes.
    expect((await yiling.x.receiver.receive(valid)).outcome).toBe('applied');
    expect((await yiling.x.receiver.receive(valid)).outcome).toBe('duplicate');
    expect((await yiling.rt.cases.listOpenUnder({ id: 'yiling', kind: 'district' })).items).toHaveLength(1);
  });
});
