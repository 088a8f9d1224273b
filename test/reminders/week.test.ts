// A week in one community (east-a of the tiny district) on the virtual clock, with the publisher and the daily
// digest running as the clock advances: one digest per staff member per day when there is something to report;
// the one urgent escalation (a handover gone overdue at 00:00) waits for the end of the street manager's quiet hours;
// nothing for cancelled cases; no personal data in any message. Then the same week again with the publisher made to
// crash at every step of every item (before the claim, after it, after the send, after the mark), the digest made to
// crash after it writes and after it marks, and the notifier made to fail once per message - and still every person
// gets every message exactly once.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LocalSink, type SinkRecord } from '../../functions/adapters/local-sink';
import { TransientDeliveryError, type Notifier, type OutboundMessage } from '../../functions/adapters/notifier';
import { findPersonalData } from '../../functions/domain/message-templates';
import type { Staff } from '../../functions/domain/people';
import { DEFAULT_QUIET_HOURS, isQuiet } from '../../functions/domain/reminders';
import { addCalendarDays, businessDateOf, businessInstant } from '../../functions/domain/time';
import type { LocalRuntime } from '../../dev/local/runtime';
import { keys } from '../../functions/store/keys';
import { testDocumentClient } from '../support/dynamodb';
import { reminderRuntime, updateStaff } from './helpers';

const at = (date: string, hhmm: string) => businessInstant(date, hhmm);
const MON = '2026-03-09';
const day = (n: number) => addCalendarDays(MON, n);
const START = at(MON, '07:00');
const END = at(day(7), '07:00');
const staffActor = (staffId: string) => ({ kind: 'staff' as const, staffId });

/** Personal data that must never reach a message: on a staff member, and wrongly stored on subjects. */
const FAKE = { name: '李秘密', phone: '+8613987654321', bare: '13987654321', idNumber: '410102199001011234', health: '怀孕' };

async function week(rt: LocalRuntime): Promise<void> {
  // Preferences.
  await updateStaff(rt, 'co-east-a-2', { channel: 'email', language: 'en' });
  await updateStaff(rt, 'sm-east', { channel: 'both', name: FAKE.name });
  await updateStaff(rt, 'so-east-1', { channel: 'none' });
  await updateStaff(rt, 'dm-tiny', { quietHours: { start: '20:00', end: '09:00' } });
  // Someone stored personal data on subjects (the model has no place for it): it must not leak into a message.
  const doc = testDocumentClient();
  for (const id of ['s-000001', 's-000002', 's-000004', 's-000006', 's-000011'])
    await doc.send(
      new UpdateCommand({
        TableName: rt.tableName,
        Key: keys.subject(id),
        UpdateExpression: 'SET #n = :n, phone = :p, idNumber = :i, healthNote = :h',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': FAKE.name, ':p': FAKE.phone, ':i': FAKE.idNumber, ':h': FAKE.health },
      }),
    );

  // Monday 07:00: what the community has open.
  await rt.openCase({ type: 'handover', caseId: 'ho-A', subjectId: 's-000004', reason: 'resigned', separationDate: '2026-02-08' }, staffActor('ul-east-school')); // due Tue 03-10
  await rt.openCase({ type: 'handover', caseId: 'ho-E', subjectId: 's-000006', reason: 'resigned', separationDate: '2026-02-09' }, staffActor('ul-east-school')); // due Wed 03-11
  for (const s of ['s-000001', 's-000002', 's-000004', 's-000006', 's-000011']) await rt.openCase({ type: 'health_check', subjectId: s }); // check day 03-10
  await rt.openCase({ type: 'follow_up', caseId: 'fu-1', subjectId: 's-000001', trigger: 'service', eventDate: MON });
  await rt.openCase({ type: 'follow_up', caseId: 'fu-2', subjectId: 's-000011', trigger: 'manual', eventDate: MON, windowEnd: day(2) }); // due Wed
  await rt.openCase({ type: 'change_report', communityId: 'east-a', month: '2026-02' }); // due 03-02: overdue at once

  await rt.advanceTo(at(MON, '10:00'));
  await rt.openCase({ type: 'handover', caseId: 'ho-B', subjectId: 's-000006', reason: 'resigned', separationDate: '2026-03-06' }, staffActor('ul-east-school'));
  await rt.openCase({ type: 'handover', caseId: 'ho-C', subjectId: 's-000004', reason: 'dismissed', separationDate: '2026-03-08' }, staffActor('ul-east-school'));
  await rt.advanceTo(at(MON, '17:00'));
  await rt.act('ho-C', { action: 'cancel', reason: 'opened by mistake' }, staffActor('so-east-1'), 'cancel-C', 'east');

  // Tuesday: the check day.
  await rt.advanceTo(at(day(1), '11:00'));
  const hc = (s: string) => `health_check:${s}:2026-01-01`;
  await rt.act(hc('s-000001'), { action: 'record_outcome', outcome: 'attended', date: day(1) }, staffActor('co-east-a-1'), 'hc-1', 'east-a');
  await rt.act(hc('s-000002'), { action: 'record_outcome', outcome: 'absent', date: day(1) }, staffActor('co-east-a-1'), 'hc-2', 'east-a');
  await rt.act(hc('s-000011'), { action: 'record_outcome', outcome: 'exempt', date: day(1) }, staffActor('co-east-a-1'), 'hc-11', 'east-a');
  await rt.act('change_report:east-a:2026-02', { action: 'record_outcome', outcome: 'filed', date: day(1) }, staffActor('co-east-a-1'), 'cr-1', 'east-a');

  // Wednesday: ho-B acknowledged (the unit gets its receipt in Thursday's digest).
  await rt.advanceTo(at(day(2), '15:00'));
  await rt.act('ho-B', { action: 'acknowledge' }, staffActor('co-east-a-1'), 'ack-B', 'east-a');

  // Thursday 07:00: ho-E went overdue at 00:00; its urgent notice waits for 08:00; the street cancels it first.
  await rt.advanceTo(at(day(3), '07:00'));
  await rt.act('ho-E', { action: 'cancel', reason: 'she returned to the unit' }, staffActor('sm-east'), 'cancel-E', 'east');
  await rt.advanceTo(at(day(3), '12:00'));
  await rt.act('fu-1', { action: 'record_outcome', outcome: 'visited', date: day(3) }, staffActor('co-east-a-1'), 'fu-1-visit', 'east-a');

  await rt.advanceTo(END);
}

const localDate = (r: SinkRecord) => businessDateOf(r.at);
const localTime = (r: SinkRecord) => new Date(Date.parse(r.at) + 8 * 3_600_000).toISOString().slice(11, 16);
const keyOf = (r: SinkRecord) => `${r.staffId}|${r.dedupeKey}|${r.channel}`;

async function staffOf(rt: LocalRuntime): Promise<Map<string, Staff>> {
  return new Map((await rt.digest.allStaff()).map((s) => [s.staffId, s]));
}

/** Fails each message's first send with a transient error. */
class FlakyNotifier implements Notifier {
  failed = 0;
  private seen = new Set<string>();
  constructor(readonly inner: LocalSink) {}
  async send(m: OutboundMessage) {
    const k = `${m.dedupeKey}#${m.channel}`;
    if (!this.seen.has(k)) {
      this.seen.add(k);
      this.failed++;
      throw new TransientDeliveryError('injected: the provider timed out');
    }
    return this.inner.send(m);
  }
}

describe('a week in one community', () => {
  let clean: SinkRecord[] = [];

  it('one digest per staff member per day, the urgent escalation after quiet hours, nothing for cancelled cases, no personal data', async () => {
    const sink = new LocalSink();
    const rt = await reminderRuntime(START, { notifier: sink });
    await week(rt);
    clean = [...sink.all()];
    const staff = await staffOf(rt);

    // Figures.
    const digests = clean.filter((r) => r.kind === 'digest.daily');
    const urgent = clean.filter((r) => r.kind !== 'digest.daily');
    const perStaff = new Map<string, string[]>();
    for (const r of digests) perStaff.set(r.staffId, [...(perStaff.get(r.staffId) ?? []), `${localDate(r).slice(5)} ${localTime(r)} ${r.channel}`]);
    console.log(`week ${MON}..${day(6)} in east-a: ${clean.length} messages (${clean.filter((r) => r.channel === 'sms').length} SMS, ${clean.filter((r) => r.channel === 'email').length} e-mails): ${digests.length} digests, ${urgent.length} urgent`);
    for (const [s, list] of [...perStaff].sort()) console.log(`  ${s.padEnd(15)} ${list.length} digests: ${list.join(', ')}`);
    for (const r of urgent) console.log(`  urgent ${r.kind} → ${r.staffId} ${r.channel} ${localDate(r)} ${localTime(r)} (${r.caseId})`);
    const items = await Promise.all([...staff.keys()].map((id) => rt.outbox.listForStaff(id)));
    const byState: Record<string, number> = {};
    for (const o of items.flat()) byState[`${o.delivery}/${o.state}`] = (byState[`${o.delivery}/${o.state}`] ?? 0) + 1;
    console.log(`  outbox items by delivery/state: ${JSON.stringify(byState)}`);

    // One digest per staff member per day and channel.
    const perDay = new Map<string, number>();
    for (const r of digests) perDay.set(`${r.staffId}|${localDate(r)}|${r.channel}`, (perDay.get(`${r.staffId}|${localDate(r)}|${r.channel}`) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBe(1);
    // Digests go out on working days (Monday to Friday this week); the weekend's wait for Monday.
    const days = Array.from({ length: 5 }, (_, i) => day(i));
    const digestDays = (id: string, channel: string) => digests.filter((r) => r.staffId === id && r.channel === channel).map(localDate);
    // The community officers, the street manager (both channels) and the district manager have an overdue or
    // due-soon case every working day of the week; the district manager's digest waits for her quiet hours to end at 09:00.
    expect(digestDays('co-east-a-1', 'sms')).toEqual(days);
    expect(digestDays('co-east-a-2', 'email')).toEqual(days);
    expect(digestDays('sm-east', 'sms')).toEqual(days);
    expect(digestDays('sm-east', 'email')).toEqual(days);
    expect(digestDays('dm-tiny', 'sms')).toEqual(days);
    expect(new Set(digests.filter((r) => r.staffId === 'dm-tiny').map(localTime))).toEqual(new Set(['09:00']));
    expect(new Set(digests.filter((r) => r.staffId !== 'dm-tiny').map(localTime))).toEqual(new Set(['08:30']));
    // The unit liaison hears of its check-day reminders on Monday, the eve of Tuesday's check day (in time for it),
    // and of its receipt on Thursday, only.
    expect(digestDays('ul-east-school', 'sms')).toEqual([day(0), day(3)]);
    // Channel none, and staff of the other communities: nothing.
    for (const id of ['so-east-1', 'co-east-b-1', 'co-west-a-1', 'so-west-1', 'sm-west', 'ul-west-mill']) expect(clean.filter((r) => r.staffId === id), id).toEqual([]);
    // The Tuesday digest of the community officer: the overdue change report, ho-A due today, the rest due soon. Her
    // three check-day reminders came on Monday, the check day's eve.
    const tue = digests.find((r) => r.staffId === 'co-east-a-1' && localDate(r) === day(1))!;
    expect(tue.text).toBe('【属地】2026-03-10待办：今日到期1件，3日内到期2件，逾期1件，新移交1件，其他通知0条。详见http://localhost:3000/#/queue');
    const mon = digests.find((r) => r.staffId === 'co-east-a-1' && localDate(r) === day(0))!;
    expect(mon.text).toBe('【属地】2026-03-09待办：今日到期0件，3日内到期3件，逾期1件，新移交2件，其他通知5条。详见http://localhost:3000/#/queue');
    const checkDayItems = (await rt.outbox.listForStaff('co-east-a-1')).filter((o) => o.template === 'health_check.check_day_reminder');
    expect(checkDayItems.map((o) => [o.state, o.doneAt])).toEqual(checkDayItems.map(() => ['digested', at(day(0), '08:30')]));
    expect(checkDayItems).toHaveLength(3);

    // The only urgent notice: ho-A went overdue at Wednesday 00:00; the street manager got it at 08:00, by both channels.
    expect(urgent.map((r) => [r.kind, r.staffId, r.channel, r.caseId, localDate(r), localTime(r)])).toEqual([
      ['handover.overdue', 'sm-east', 'sms', 'ho-A', day(2), '08:00'],
      ['handover.overdue', 'sm-east', 'email', 'ho-A', day(2), '08:00'],
    ]);
    // No message inside its recipient's quiet hours.
    for (const r of clean) expect(isQuiet(r.at, staff.get(r.staffId)?.quietHours ?? DEFAULT_QUIET_HOURS), `${r.kind} → ${r.staffId} at ${r.at}`).toBe(false);

    // Cancelled cases: ho-C (cancelled before any digest) appears nowhere; ho-E's overdue notice was skipped at 08:00.
    expect(clean.filter((r) => r.text.includes('ho-C') || r.caseId === 'ho-C')).toEqual([]);
    const cancelledE = at(day(3), '07:00');
    expect(clean.filter((r) => r.at >= cancelledE && (r.text.includes('ho-E') || r.caseId === 'ho-E'))).toEqual([]);
    const eItems = (await rt.outbox.listForStaff('sm-east')).filter((o) => o.caseId === 'ho-E' && o.template === 'handover.overdue');
    expect(eItems.map((o) => [o.state, o.outcome, o.doneAt])).toEqual([['skipped', 'case_cancelled', at(day(3), '08:00')]]);
    const cItems = (await Promise.all(['co-east-a-1', 'co-east-a-2'].map((id) => rt.outbox.listForStaff(id)))).flat().filter((o) => o.caseId === 'ho-C');
    expect(cItems.map((o) => [o.template, o.state, o.outcome])).toEqual([
      ['handover.opened', 'skipped', 'case_closed'],
      ['handover.opened', 'skipped', 'case_closed'],
    ]);
    // Every digest item was digested or skipped: nothing left behind.
    expect(items.flat().filter((o) => o.state === 'pending' || o.state === 'sending')).toEqual([]);

    // No personal data: not the staff member's name, not what was stored on subjects, nothing that looks like it.
    for (const r of clean) {
      const all = `${r.subject ?? ''}\n${r.text}`;
      for (const v of Object.values(FAKE)) expect(all, `${r.kind} → ${r.staffId}`).not.toContain(v);
      const ids = [...all.matchAll(/[A-Za-z0-9][A-Za-z0-9:._#-]*:s-\d+:[\d-]+|ho-[A-Z]|fu-\d|https?:\/\/\S+/g)].map((m) => m[0]);
      let scanned = all;
      for (const id of ids) scanned = scanned.split(id).join(' ');
      expect(findPersonalData(scanned), `${r.kind} → ${r.staffId}: ${all}`).toEqual([]);
      expect(r.to).not.toContain(FAKE.bare);
    }
  });

  it('the same week with crashes at every step of the publisher and the digest, and a failing notifier: still once each', async () => {
    const sink = new LocalSink();
    const flaky = new FlakyNotifier(sink);
    const crashed = new Set<string>();
    const crashes: Record<string, number> = {};
    const crashOnce = (key: string, step: string) => {
      if (crashed.has(key)) return;
      crashed.add(key);
      crashes[step] = (crashes[step] ?? 0) + 1;
      throw new Error(`injected crash ${step}`);
    };
    const rt = await reminderRuntime(START, {
      notifier: flaky,
      publisherFault: (step, item) => crashOnce(`${item.outboxId}|${step}`, `publisher:${step}`),
      digestFault: (step, staffId) => crashOnce(`${staffId}|${step}|${businessDateOf(rtClock())}`, `digest:${step}`),
    });
    const rtClock = () => rt.clock.now();
    await week(rt);
    const got = [...sink.all()];

    const counts = new Map<string, number>();
    for (const r of got) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) + 1);
    console.log(
      `with faults: ${JSON.stringify(crashes)} crashes, ${flaky.failed} failed sends, publisher runs crashed ${rt.reminderCrashes.publisher}, digest runs crashed ${rt.reminderCrashes.digest}; ` +
        `${sink.sendCalls} sends reached the sink, ${sink.duplicatesDropped} dropped as duplicates; ${got.length} messages delivered (${clean.length} without faults)`,
    );
    for (const step of ['before_claim', 'after_claim', 'after_send', 'after_mark']) expect(crashes[`publisher:${step}`], step).toBeGreaterThan(0);
    for (const step of ['after_write', 'after_mark']) expect(crashes[`digest:${step}`], step).toBeGreaterThan(0);
    expect(sink.duplicatesDropped).toBeGreaterThan(0);
    // Each person got each message exactly once, and the same messages as without faults.
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect([...counts.keys()].sort()).toEqual(clean.map(keyOf).sort());
    // Urgent still outside quiet hours (later by the retries, never earlier).
    const urgent = got.filter((r) => r.kind === 'handover.overdue');
    expect(urgent.map((r) => [r.staffId, r.channel, r.caseId])).toEqual([
      ['sm-east', 'sms', 'ho-A'],
      ['sm-east', 'email', 'ho-A'],
    ]);
    for (const r of urgent) expect(r.at >= at(day(2), '08:00') && r.at < at(day(2), '09:00')).toBe(true);
  });
});
