// `npm run bench:reminders`: a simulated month of the seeded Chuanhui district on the virtual clock - the whole
// product in-process (LocalRuntime: case service, sweeper workflow, publisher, daily digest) over DynamoDB Local in
// memory - and the messages staff received: SMS and e-mails actually sent (daily digests + urgent escalations),
// beside what one message per reminder event would have sent (every outbox item the month wrote, times the channels
// of its recipient's preference), counted on the same events in the same run. A benchmark: it prints and writes
// figures (bench/results/reminders.json), it asserts nothing.
//
// The month's events (seeded random, the same every run):
//   - handovers: ~1.5% of the co_managed register separates from its unit in a month; the month starts with last
//     month's separations still open and gets as many new ones. Fates: acknowledged after 2–20 days (72%), rejected
//     and re-routed by the street (10%), cancelled (5%), left to go overdue (13%: urgent to the street manager, and a
//     week later to the district manager);
//   - follow-up visits: ~2% of the community-managed subjects a month (and last month's still open): visited (80%),
//     not reachable (8%, a retry follows), left to go overdue (12%);
//   - health checks of the current period for the whole register (written in batches as the state the month starts
//     from); the month's check-day reminders come from the communities whose fixed check day falls in the month;
//     outcomes there on the check day: attended 70%, absent 6% (a follow-up follows), exempt 4%, the rest stay open.
//     BENCH_HEALTH_CHECKS=month opens only those communities' checks (faster; the month's reminders are the same,
//     only the open-case count is smaller);
//   - certificate checks for ~1.5% of the mobile register (newly registered);
//   - change reports: last month's due on the 2nd (85% filed by then), this month's opened by the job on the 1st.
import '../dev/local/runtime-shims';
import { mkdirSync, writeFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { LocalSink } from '../functions/adapters/local-sink';
import { CaseRejected } from '../functions/app/case-service';
import type { Actor } from '../functions/domain/case';
import { VirtualClock } from '../functions/domain/clock';
import { openCase, type OpenCaseInput } from '../functions/domain/case-machines';
import type { Staff, Subject } from '../functions/domain/people';
import { URGENT_TEMPLATES, channelsFor } from '../functions/domain/reminders';
import { addCalendarDays, businessDateOf, businessInstant, startOfBusinessDay } from '../functions/domain/time';
import { subjectRefOf } from '../functions/app/case-service';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { progressLine } from '../dev/local/progress';
import { LocalRuntime } from '../dev/local/runtime';
import { loadDistrictConfig } from '../infra/district-config-files';
import { caseItem, historyItem, type Item, type OutboxItem } from '../functions/store/keys';

const DISTRICT_FILE = 'seeds/districts/chuanhui.json';
const MONTH = '2026-03';
const FIRST = `${MONTH}-01`;
const DAYS = Number(process.env.BENCH_DAYS ?? 31);
const START = startOfBusinessDay(FIRST);
const END = startOfBusinessDay(addCalendarDays(FIRST, DAYS));
const HEALTH_ALL = process.env.BENCH_HEALTH_CHECKS !== 'month';

const rng = seedrandom('shudi-reminders-bench');
const rand = () => rng();
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const pct = (n: number, total: number) => (total ? `${((100 * n) / total).toFixed(0)}%` : '–');
const fmt = (n: number) => n.toLocaleString('en');
const dayOf = (n: number) => addCalendarDays(FIRST, n);
/** A random working hour on a date (whole hours: the clock stops 8 times a working day, not at every event). */
const during = (date: string) => businessInstant(date, `${String(int(9, 16)).padStart(2, '0')}:00`);

interface Event {
  at: string;
  run: () => Promise<void>;
}

async function main() {
  const wallStart = performance.now();
  const config = loadDistrictConfig(DISTRICT_FILE);
  console.log(`bench:reminders: ${config.name.en} (${config.id}), ${MONTH} on the virtual clock; starting DynamoDB Local in memory …`);
  const db = await startDynamoDbLocal({ inMemory: true });
  try {
    const sink = new LocalSink();
    const rt = await LocalRuntime.create({ endpoint: db.endpoint, config, clock: new VirtualClock(START), tableName: `shudi-${config.id}-reminders-bench`, fastRetries: true, notifier: sink });
    let bar: ReturnType<typeof progressLine> | undefined;
    await rt.seed((done, total) => (bar ??= progressLine('seeding', total)).update(done));
    bar?.done();

    // Where the wall time goes (printed at the end).
    const timing: Record<string, number> = { digest: 0, publisher: 0, sweeps: 0, 'staff actions and opens': 0, 'clock look-ahead': 0 };
    const timed = <T extends object>(obj: T, name: keyof T & string, key: string) => {
      const f = (obj[name] as (...a: unknown[]) => Promise<unknown>).bind(obj);
      (obj as Record<string, unknown>)[name] = async (...a: unknown[]) => {
        const t = performance.now();
        try {
          return await f(...a);
        } finally {
          timing[key]! += performance.now() - t;
        }
      };
    };
    timed(rt.digest, 'run', 'digest');
    timed(rt.publisher, 'publishDue', 'publisher');
    timed(rt, 'sweep', 'sweeps');

    const { territory } = rt.district;
    const staff = await rt.digest.allStaff();
    const staffOf = (orgUnitId: string, role: Staff['role']) => staff.find((s) => s.orgUnitId === orgUnitId && s.role === role)?.staffId ?? staff.find((s) => s.orgUnitId === orgUnitId)!.staffId;
    const subjects: Subject[] = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await rt.register.listSubjects({ id: territory.districtId, kind: 'district' }, { limit: 500, cursor });
      subjects.push(...page.items);
      cursor = page.cursor;
    }
    subjects.sort((a, b) => a.subjectId.localeCompare(b.subjectId));
    const coManaged = subjects.filter((s) => s.class === 'co_managed' && s.unitId);
    const communityManaged = subjects.filter((s) => s.class !== 'co_managed');
    const mobile = subjects.filter((s) => s.class === 'mobile');
    const monthCommunities = new Map(
      territory
        .ofKind('community')
        .flatMap((c) => (c.checkDays ?? []).filter((d) => d.startsWith(MONTH.slice(5))).map((d) => [c.id, `${MONTH.slice(0, 4)}-${d}`] as const)),
    );

    const stats = { opened: 0, actions: 0, refused: 0 };
    const staffActor = (id: string): Actor => ({ kind: 'staff', staffId: id });
    const system: Actor = { kind: 'system', process: 'bench' };
    const open = async (input: OpenCaseInput, actor: Actor = system) => {
      try {
        if ((await rt.service.open(input, actor)).created) stats.opened++;
      } catch (err) {
        if (!(err instanceof CaseRejected)) throw err;
        stats.refused++;
      }
    };
    const act = async (caseId: string, command: Record<string, unknown>, staffId: string, orgUnitId: string) => {
      try {
        await rt.service.act(caseId, command, staffActor(staffId), `bench:${caseId}:${command.action}:${rt.clock.now().toISOString()}`, orgUnitId);
        stats.actions++;
      } catch (err) {
        // A case closed meanwhile (e.g. cancelled before its planned acknowledgement): the action is refused.
        if (!(err instanceof CaseRejected)) throw err;
        stats.refused++;
      }
    };
    const events: Event[] = [];
    const at = (instant: string, run: () => Promise<void>) => events.push({ at: instant, run });

    // ---- What is open when the month begins (opened at 00:00 on the 1st).
    // The period's health checks: the same case, history entry and timers the case service writes for each (the
    // pure openCase decision and the store's key builders; a health check opens with no notice), written in batches
    // as the state the month starts from - 15,289 conditional transactions would take minutes on DynamoDB Local.
    const healthSubjects = HEALTH_ALL ? subjects : subjects.filter((s) => monthCommunities.has(s.communityId));
    const ctx = { now: START, actor: system, territory, rules: rt.district.rules, deadline: rt.district.deadline };
    const healthItems: Item[] = [];
    for (const s of healthSubjects) {
      const d = openCase({ type: 'health_check', subject: subjectRefOf(s), periodOf: FIRST }, ctx);
      if (!d.ok) throw new Error(`health check for ${s.subjectId}: ${d.reason}`);
      const timers = d.effects.flatMap((e) => (e.kind === 'set_timer' ? [{ timerId: e.timerId, at: e.at, command: e.command }] : []));
      healthItems.push(caseItem({ ...d.case, timers }, territory.districtId), historyItem(d.history));
    }
    const hbar = progressLine(`writing the period's health checks (${HEALTH_ALL ? 'whole register' : `${monthCommunities.size} communities with a check day in ${MONTH}`})`, healthItems.length);
    await rt.register.putMany(healthItems, { onProgress: (n) => hbar.update(n) });
    hbar.done();
    const hdone = healthSubjects.length;
    stats.opened += hdone;
    console.log(`${fmt(hdone)} health checks open; planning the month's events …`);

    let seq = 0;
    const handoverCount = Math.round(coManaged.length * 0.015);
    const usedHandover = new Set<string>();
    const planHandover = async (openAt: string | undefined, separationDate: string) => {
      let w = pick(coManaged);
      for (let i = 0; usedHandover.has(w.subjectId) && i < 20; i++) w = pick(coManaged);
      usedHandover.add(w.subjectId);
      const caseId = `ho-bench-${++seq}`;
      const community = w.communityId;
      const street = territory.streetOf(community)!;
      const openedOn = openAt ? businessDateOf(openAt) : FIRST;
      const doOpen = () => open({ type: 'handover', caseId, subject: subjectRefOf(w), reason: pick(['resigned', 'dismissed', 'removed'] as const), separationDate }, staffActor(`ul-${w.unitId}`));
      if (openAt) at(openAt, doOpen);
      else await doOpen();
      const fate = rand();
      if (fate < 0.72) {
        const d = addCalendarDays(openedOn, int(2, 20));
        at(during(d), () => act(caseId, { action: 'acknowledge' }, staffOf(community, 'community_officer'), community));
      } else if (fate < 0.82) {
        const d = addCalendarDays(openedOn, int(1, 3));
        at(during(d), () => act(caseId, { action: 'reject', reason: 'not registered here' }, staffOf(community, 'community_officer'), community));
        const others = territory.childrenOf(street).filter((c) => c.kind === 'community' && c.id !== community);
        if (others.length) {
          const to = pick(others).id;
          at(during(addCalendarDays(d, int(1, 2))), () => act(caseId, { action: 'reassign', toOrgUnitId: to, reason: 'lives there' }, staffOf(street, 'street_officer'), street));
          at(during(addCalendarDays(d, int(4, 12))), () => act(caseId, { action: 'acknowledge' }, staffOf(to, 'community_officer'), to));
        }
      } else if (fate < 0.87) {
        at(during(addCalendarDays(openedOn, int(1, 10))), () => act(caseId, { action: 'cancel', reason: 'separation withdrawn' }, staffOf(street, 'street_officer'), street));
      } // else: nobody acts; it goes overdue, then to the district
    };
    // Last month's separations, still open on the 1st, and this month's.
    for (let i = 0; i < handoverCount; i++) await planHandover(undefined, addCalendarDays(FIRST, -int(1, 28)));
    for (let i = 0; i < handoverCount; i++) {
      const d = dayOf(int(0, DAYS - 1));
      const sep = addCalendarDays(d, -int(0, 6));
      await planHandover(during(d), sep < d ? sep : d);
    }

    const planFollowUp = async (openAt: string | undefined, eventDate: string) => {
      const s = pick(communityManaged);
      const caseId = `fu-bench-${++seq}`;
      const input: OpenCaseInput = { type: 'follow_up', caseId, subject: subjectRefOf(s), trigger: pick(['service', 'birth', 'return'] as const), eventDate };
      if (openAt) at(openAt, () => open(input));
      else await open(input);
      const start = openAt ? businessDateOf(openAt) : FIRST;
      const fate = rand();
      const officer = staffOf(s.communityId, 'community_officer');
      if (fate < 0.8) {
        const d = addCalendarDays(start, int(1, 12));
        at(during(d), () => act(caseId, { action: 'record_outcome', outcome: 'visited', date: d }, officer, s.communityId));
      } else if (fate < 0.88) {
        const d = addCalendarDays(start, int(3, 10));
        at(during(d), () => act(caseId, { action: 'record_outcome', outcome: 'not_reachable', date: d }, officer, s.communityId));
      }
    };
    const followUps = Math.round(communityManaged.length * 0.02);
    for (let i = 0; i < Math.round(followUps / 2); i++) await planFollowUp(undefined, addCalendarDays(FIRST, -int(1, 13)));
    for (let i = 0; i < followUps; i++) {
      const d = dayOf(int(0, DAYS - 1));
      await planFollowUp(during(d), d);
    }

    // Health-check outcomes on each community's check day.
    for (const s of healthSubjects) {
      const checkDay = monthCommunities.get(s.communityId);
      if (!checkDay) continue;
      const r = rand();
      const outcome = r < 0.7 ? 'attended' : r < 0.76 ? 'absent' : r < 0.8 ? 'exempt' : undefined;
      if (!outcome) continue;
      const caseId = `health_check:${s.subjectId}:${MONTH.slice(0, 4)}-01-01`; // every cadence's period starts on 1 January until May
      at(during(checkDay), () => act(caseId, { action: 'record_outcome', outcome, date: checkDay }, staffOf(s.communityId, 'community_officer'), s.communityId));
    }

    // Certificate checks of newly registered mobile subjects.
    for (let i = 0; i < Math.round(mobile.length * 0.015); i++) {
      const s = pick(mobile);
      const d = dayOf(int(0, DAYS - 1));
      const caseId = `cc-bench-${++seq}`;
      at(during(d), () => open({ type: 'certificate_check', caseId, subject: subjectRefOf(s), startDate: d }));
      const r = rand();
      const outcome = r < 0.7 ? 'valid' : r < 0.9 ? 'missing' : undefined;
      if (outcome) {
        const od = addCalendarDays(d, int(1, 10));
        at(during(od), () => act(caseId, { action: 'record_outcome', outcome, date: od }, staffOf(s.communityId, 'community_officer'), s.communityId));
      }
    }

    // Last month's change reports, due on the 2nd.
    for (const c of territory.ofKind('community')) {
      await open({ type: 'change_report', communityId: c.id, month: addCalendarDays(FIRST, -1).slice(0, 7) });
      if (rand() < 0.85) {
        const d = dayOf(int(0, 1));
        at(during(d), () => act(`change_report:${c.id}:${addCalendarDays(FIRST, -1).slice(0, 7)}`, { action: 'record_outcome', outcome: 'filed', date: d }, staffOf(c.id, 'community_officer'), c.id));
      }
    }

    // Open cases, sampled at noon each day (for the per-open-case figures).
    const openSamples: number[] = [];
    for (let i = 0; i < DAYS; i++) at(businessInstant(dayOf(i), '12:00'), async () => void openSamples.push(await rt.digest.countOpenCases()));

    // ---- The month (what was planned past its end does not happen in it).
    const planned = events.length;
    events.splice(0, events.length, ...events.filter((e) => e.at < END).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)));
    console.log(`${fmt(events.length)} events in the month (${fmt(planned - events.length)} planned after it left out); running it (timers, jobs, publisher and digests as the clock passes) …`);
    const mbar = progressLine('simulating', events.length);
    let lastDay = '';
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const t0 = performance.now();
      if (e.at > rt.clock.now().toISOString()) await rt.advanceTo(e.at);
      const t1 = performance.now();
      await e.run();
      timing['clock look-ahead']! += t1 - t0;
      timing['staff actions and opens']! += performance.now() - t1;
      mbar.update(i + 1);
      const d = businessDateOf(e.at);
      if (d !== lastDay && d.endsWith('8') && !process.stderr.isTTY) console.log(`  … ${d}: ${fmt(sink.all().length)} messages so far`);
      lastDay = d;
    }
    await rt.advanceTo(END);
    mbar.done();

    // ---- Counting.
    const sent = sink.all().filter((r) => r.at >= START && r.at < END);
    const count = (rows: typeof sent, channel: string) => rows.filter((r) => r.channel === channel).length;
    const digests = sent.filter((r) => r.kind === 'digest.daily');
    const urgent = sent.filter((r) => r.kind !== 'digest.daily');
    const items: OutboxItem[] = (await Promise.all(staff.map((s) => rt.outbox.listForStaff(s.staffId)))).flat();
    const events_ = items.filter((o) => o.delivery !== 'summary' && o.createdAt >= START && o.createdAt < END);
    const prefs = new Map(staff.map((s) => [s.staffId, s]));
    let naiveSms = 0;
    let naiveEmail = 0;
    for (const o of events_) {
      for (const ch of channelsFor(prefs.get(o.staffId)?.channel ?? 'none')) ch === 'sms' ? naiveSms++ : naiveEmail++;
    }
    const byTemplate: Record<string, number> = {};
    for (const o of events_) byTemplate[o.template] = (byTemplate[o.template] ?? 0) + 1;
    const skippedByTemplate: Record<string, number> = {};
    for (const o of events_) if (o.state === 'skipped') skippedByTemplate[o.template] = (skippedByTemplate[o.template] ?? 0) + 1;
    const byState: Record<string, number> = {};
    for (const o of items) byState[`${o.delivery}/${o.state}`] = (byState[`${o.delivery}/${o.state}`] ?? 0) + 1;
    const avgOpen = openSamples.reduce((a, b) => a + b, 0) / Math.max(1, openSamples.length);
    const endOpen = await rt.digest.countOpenCases();
    const perCase = (n: number) => Number((n / avgOpen).toFixed(3));
    const staffDays = new Set(digests.map((r) => `${r.staffId}|${businessDateOf(r.at)}`)).size;
    const recipients = new Set(digests.map((r) => r.staffId)).size;
    const maxPer = (rows: typeof sent) => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(`${r.staffId}|${r.channel}|${businessDateOf(r.at)}`, (m.get(`${r.staffId}|${r.channel}|${businessDateOf(r.at)}`) ?? 0) + 1);
      return Math.max(0, ...m.values());
    };
    // What the month's digests reported, by the recipient's role: which counts were not zero.
    const digestItems = items.filter((o) => o.delivery === 'summary' && o.createdAt >= START && o.createdAt < END);
    const digestsByRole: Record<string, number> = {};
    const digestsByContent: Record<string, number> = {};
    for (const o of digestItems) {
      const role = o.role ?? 'unknown';
      digestsByRole[role] = (digestsByRole[role] ?? 0) + 1;
      const shown = ['overdue', 'dueToday', 'dueSoon', 'newHandovers', 'updates'].filter((k) => Number(o.params[k] ?? 0) > 0).join('+');
      digestsByContent[shown] = (digestsByContent[shown] ?? 0) + 1;
    }
    const maxPerStaffDay = maxPer(digests);
    const maxUrgentPerStaffDay = maxPer(urgent);
    const channels = { sms: staff.filter((s) => s.channel === 'sms').length, email: staff.filter((s) => s.channel === 'email').length, both: staff.filter((s) => s.channel === 'both').length, none: staff.filter((s) => s.channel === 'none').length };

    const rows: [string, number, number][] = [
      ['digest + urgent (sent)', count(sent, 'sms'), count(sent, 'email')],
      ['  of which daily digests', count(digests, 'sms'), count(digests, 'email')],
      ['  of which urgent escalations', count(urgent, 'sms'), count(urgent, 'email')],
      ['one message per reminder event', naiveSms, naiveEmail],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const line = (label: string, a: string, b: string, c: string, d: string) => `${label.padEnd(w0)} | ${a.padStart(8)} | ${b.padStart(8)} | ${c.padStart(8)} | ${d.padStart(14)}`;
    const out: string[] = [];
    out.push('');
    out.push(`Reminders for a month: ${config.name.en} (${config.id}), ${MONTH} (${DAYS} days) on the virtual clock`);
    out.push(`Staff ${staff.length} (sms ${channels.sms}, email ${channels.email}, both ${channels.both}, none ${channels.none}); subjects ${fmt(subjects.length)}`);
    out.push(`Cases opened ${fmt(stats.opened)} (health checks ${fmt(hdone)} for ${HEALTH_ALL ? 'the whole register' : `the ${monthCommunities.size} communities with a check day in ${MONTH}`}), staff actions ${fmt(stats.actions)} (${fmt(stats.refused)} refused: case closed meanwhile)`);
    out.push(`Open cases: ${fmt(Math.round(avgOpen))} on average at noon, ${fmt(endOpen)} at the end`);
    out.push(`Reminder events (outbox items written in the month): ${fmt(events_.length)} (urgent ${fmt(events_.filter((o) => URGENT_TEMPLATES.includes(o.template)).length)}, digest ${fmt(events_.filter((o) => !URGENT_TEMPLATES.includes(o.template)).length)})`);
    out.push('');
    out.push(line('', 'SMS', 'e-mail', 'total', 'per open case'));
    out.push(line('-'.repeat(w0), '-'.repeat(8), '-'.repeat(8), '-'.repeat(8), '-'.repeat(14)));
    for (const [label, a, b] of rows) out.push(line(label, fmt(a), fmt(b), fmt(a + b), perCase(a + b).toFixed(3)));
    const sentTotal = count(sent, 'sms') + count(sent, 'email');
    const naiveTotal = naiveSms + naiveEmail;
    out.push('');
    out.push(`Digests: ${fmt(digests.length)} messages to ${recipients} staff on ${fmt(staffDays)} staff-days; at most ${maxPerStaffDay} digest per staff member, channel and day (urgent: at most ${maxUrgentPerStaffDay} a day, to ${new Set(urgent.map((r) => r.staffId)).size} managers)`);
    out.push(`Sent with digests: ${fmt(sentTotal)} = ${pct(sentTotal, naiveTotal)} of ${fmt(naiveTotal)} (one per event): ${(naiveTotal / Math.max(1, sentTotal)).toFixed(1)}× fewer; SMS ${(naiveSms / Math.max(1, count(sent, 'sms'))).toFixed(1)}× fewer`);
    out.push(`Digests by role: ${Object.entries(digestsByRole).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`);
    out.push(`Digests by what they report: ${Object.entries(digestsByContent).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`);
    out.push(`Reminder events by template: ${Object.entries(byTemplate).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}`);
    out.push(`Digest items skipped (case closed before the digest), by template: ${Object.entries(skippedByTemplate).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || 'none'}`);
    out.push(`Outbox items by delivery/state: ${Object.entries(byState).sort().map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`);
    const wall = (performance.now() - wallStart) / 1000;
    timing['clock look-ahead']! -= timing.digest! + timing.publisher! + timing.sweeps!;
    out.push(`Where the simulated month's time went: ${Object.entries(timing).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)} s`).join(', ')}`);
    out.push(`Wall time ${wall.toFixed(0)} s (DynamoDB Local in memory, ${HEALTH_ALL ? 'whole register' : 'health checks of the month\'s check-day communities'})`);
    console.log(out.join('\n'));

    mkdirSync('bench/results', { recursive: true });
    const result = {
      at: new Date().toISOString(),
      district: config.id,
      month: MONTH,
      days: DAYS,
      healthChecks: HEALTH_ALL ? 'whole register' : `communities with a check day in ${MONTH}`,
      staff: { total: staff.length, ...channels },
      casesOpened: stats.opened,
      staffActions: stats.actions,
      refusedActions: stats.refused,
      openCases: { averageAtNoon: Math.round(avgOpen), atEnd: endOpen },
      reminderEvents: events_.length,
      reminderEventsByTemplate: byTemplate,
      sent: { sms: count(sent, 'sms'), email: count(sent, 'email'), digests: { sms: count(digests, 'sms'), email: count(digests, 'email') }, urgent: { sms: count(urgent, 'sms'), email: count(urgent, 'email') } },
      onePerEvent: { sms: naiveSms, email: naiveEmail },
      perOpenCase: { sent: { sms: perCase(count(sent, 'sms')), email: perCase(count(sent, 'email')), total: perCase(sentTotal) }, onePerEvent: { sms: perCase(naiveSms), email: perCase(naiveEmail), total: perCase(naiveTotal) } },
      reduction: Number((naiveTotal / Math.max(1, sentTotal)).toFixed(2)),
      digestStaffDays: staffDays,
      digestsByRole,
      digestsByContent,
      maxDigestsPerStaffChannelDay: maxPerStaffDay,
      maxUrgentPerStaffChannelDay: maxUrgentPerStaffDay,
      outboxByDeliveryState: byState,
      wallSeconds: Number(wall.toFixed(1)),
    };
    writeFileSync('bench/results/reminders.json', `${JSON.stringify(result, null, 2)}\n`);
    console.log('written bench/results/reminders.json');
  } finally {
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
