// Figure 4 of `npm run bench`: Step Functions state transitions per case lifecycle, for each type, and the cost of
// each lifecycle against the naive design on the same lifecycle.
//
// One typical lifecycle per type runs through the real workflows on the local stack (Yiling's register, a virtual
// clock, reminders off): opened, its timers fired by the sweeper at their instants, closed by a staff command. For
// each: the transitions of every execution it caused (the sweeps that fired its timers, the generator jobs;
// each counted whole), the Lambda invocations and DynamoDB requests and units, and the days it was open. The naive
// design runs one Standard execution per case: OpenCase, then Wait 1 day → CheckCase → Closed? every day it is open,
// then Done: 2 + 3 × days transitions, 1 + days invocations, one read a day; the staff command is an API Lambda.
// Both are priced with seeds/simulation/prices.json (Step Functions, Lambda, DynamoDB; messages aside: figure 5).
// Run: npx tsx bench/lifecycles.bench.ts
import '../dev/local/runtime-shims';
import type { Actor } from '../functions/domain/case';
import { VirtualClock } from '../functions/domain/clock';
import { addCalendarDays, businessDateOf, businessInstant, startOfBusinessDay } from '../functions/domain/time';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { LocalRuntime } from '../dev/local/runtime';
import { generateSubjects } from '../dev/seed/generate-subjects';
import { loadDistrictConfig } from '../infra/district-config-files';
import { createDynamoClient } from '../functions/store/client';
import { gbSeconds } from '../dev/sim/cost';
import { Observer, sender } from '../dev/sim/observe';
import { loadPrices } from '../dev/sim/prices';
import { round, writeResult } from './lib';

const DAY = 86_400_000;

async function main() {
  const config = loadDistrictConfig('seeds/districts/yiling.json');
  const prices = loadPrices();
  const p = prices.prices;
  console.log(`lifecycles: one typical lifecycle per case type on the local stack (${config.name.en}) …`);
  const db = await startDynamoDbLocal({ inMemory: true });
  try {
    const client = createDynamoClient({ endpoint: db.endpoint });
    const observer = new Observer(client);
    const invocations: Record<string, number> = {};
    const rt = await LocalRuntime.create({
      endpoint: db.endpoint,
      config,
      clock: new VirtualClock(businessInstant('2025-12-31', '23:30')),
      client,
      tableName: 'shudi-bench-lifecycles',
      fastRetries: true,
      reminders: false,
      wrapHandler: (key, handler) => (event) => {
        invocations[key] = (invocations[key] ?? 0) + 1;
        return sender.run(key, () => Promise.resolve(handler(event)));
      },
    });
    await rt.seed();
    const subjects = generateSubjects(config);
    const used = new Set<string>();
    const pick = (ok: (s: (typeof subjects)[number]) => boolean) => {
      const s = subjects.find((x) => !used.has(x.subjectId) && ok(x))!;
      used.add(s.subjectId);
      return s;
    };
    const staff = (id: string): Actor => ({ kind: 'staff', staffId: id });
    const today = () => businessDateOf(rt.clock.now());
    const at = (date: string, hhmm = '10:00') => businessInstant(date, hhmm);

    interface Row {
      type: string;
      typical: string;
      days: number;
      transitions: number;
      sweeps: number;
      invocations: Record<string, number>;
      requests: number;
      readUnits: number;
      writeUnits: number;
      naiveTransitions: number;
      usd: number;
      naiveUsd: number;
    }
    const rows: Row[] = [];
    const run = async (type: string, typical: string, body: () => Promise<void>) => {
      await rt.advance(3_600_000, { jobs: false });
      const t0 = structuredClone(rt.transitions);
      const acts0 = rt.commands.act;
      for (const k of Object.keys(invocations)) delete invocations[k];
      observer.resetUsage();
      const mechanism = () => (observer.itemWrites.timer?.estimatedWriteUnits ?? 0) + (observer.itemWrites.outbox?.estimatedWriteUnits ?? 0);
      const mechanismBefore = mechanism();
      const from = rt.clock.now().getTime();
      await body();
      const days = Math.max(1, Math.ceil((rt.clock.now().getTime() - from) / DAY));
      let transitions = 0;
      for (const [w, t] of Object.entries(rt.transitions)) transitions += t.transitions - (t0[w]?.transitions ?? 0);
      const sweeps = (rt.transitions.sweeper?.executions ?? 0) - (t0.sweeper?.executions ?? 0);
      const u = observer.total();
      // Ours: the transitions, every invocation with its requests, the units.
      let gbs = 0;
      let inv = 0;
      for (const [k, n] of Object.entries(invocations)) {
        const use = observer.usage.get(k);
        gbs += gbSeconds(prices, k, { invocations: n, requests: use?.requests ?? 0, transactions: use?.byCommand.TransactWriteItemsCommand ?? 0 });
        inv += n;
      }
      const usd =
        (transitions / 1000) * p.stepFunctionsStandardPer1kTransitions.usd +
        (inv / 1e6) * p.lambdaRequestsPerMillion.usd +
        gbs * p.lambdaArmPerGbSecond.usd +
        (u.readUnits / 1e6) * p.dynamodbReadRequestUnitsPerMillion.usd +
        (u.writeUnits / 1e6) * p.dynamodbWriteRequestUnitsPerMillion.usd;
      // Naive, the same lifecycle: no timers, no sweeps; a daily poll.
      const staffActions = rt.commands.act - acts0;
      const naiveTransitions = 2 + 3 * days;
      const fire = observer.usage.get('fireTimer');
      const list = observer.usage.get('listDueTimers');
      // Naive: the same case, history and subject writes, without the timer and outbox items.
      const naiveWrites = Math.max(0, u.writeUnits - (mechanism() - mechanismBefore));
      const naiveReads = u.readUnits - (fire?.readUnits ?? 0) - (list?.readUnits ?? 0) + days * 0.5;
      // The commands (the open and the staff actions) are the API function's in both designs.
      const api = observer.usage.get('api');
      const naiveGbs =
        gbSeconds(prices, 'api', { invocations: invocations.api ?? 0, requests: api?.requests ?? 0, transactions: api?.byCommand.TransactWriteItemsCommand ?? 0 }) +
        gbSeconds(prices, 'checkCase', { invocations: days, requests: days, transactions: 0 });
      const naiveUsd =
        (naiveTransitions / 1000) * p.stepFunctionsStandardPer1kTransitions.usd +
        ((1 + days + staffActions) / 1e6) * p.lambdaRequestsPerMillion.usd +
        naiveGbs * p.lambdaArmPerGbSecond.usd +
        (naiveReads / 1e6) * p.dynamodbReadRequestUnitsPerMillion.usd +
        (naiveWrites / 1e6) * p.dynamodbWriteRequestUnitsPerMillion.usd;
      rows.push({ type, typical, days, transitions, sweeps, invocations: { ...invocations }, requests: u.requests, readUnits: round(u.readUnits, 1), writeUnits: round(u.writeUnits, 1), naiveTransitions, usd, naiveUsd });
      process.stderr.write(`lifecycles: ${type} done\n`);
    };

    {
      // A check opened by the job at the start of the January–June period for a woman whose community's check day
      // comes in March (about the mean wait in Chuanhui, whose 24 communities spread their check days over the first
      // four months of a period), attended on that day: the weeks a check stays open are what the naive design pays
      // for day by day.
      const firstCheckDay = (id: string) => (rt.district.territory.get(id)?.checkDays ?? []).map((d) => `2026-${d}`).sort()[0] ?? '2026-06-30';
      const s = pick((x) => x.class === 'primary' && !x.implantUntil && firstCheckDay(x.communityId).slice(5, 7) === '03');
      const day = firstCheckDay(s.communityId);
      await run('health_check', `opened by the job on 1 January for the January–June period, check-day reminder the day before, attended on ${day}`, async () => {
        const opened = await rt.openCase({ type: 'health_check', subjectId: s.subjectId, periodOf: '2026-01-01' }, { kind: 'system', process: 'health-checks' });
        await rt.advanceTo(at(day), { jobs: false });
        await rt.act(opened.caseId, { action: 'record_outcome', outcome: 'attended', date: day }, staff(`co-${s.communityId}-1`), 'lc-hc-out', s.communityId);
      });
    }
    {
      const w = pick((s) => s.class === 'co_managed' && !!s.unitId);
      await run('handover', 'opened by the unit (separation yesterday), acknowledged 2 days later', async () => {
        await rt.openCase({ type: 'handover', caseId: 'lc-ho', subjectId: w.subjectId, reason: 'resigned', separationDate: addCalendarDays(today(), -1) }, staff(`ul-${w.unitId}`));
        await rt.advanceDays(2, { jobs: false });
        await rt.act('lc-ho', { action: 'acknowledge' }, staff(`co-${w.communityId}-1`), 'lc-ho-ack', w.communityId);
      });
    }
    {
      const s = pick((x) => x.class === 'primary');
      await run('follow_up', 'opened on a service, visited 4 days later', async () => {
        await rt.openCase({ type: 'follow_up', caseId: 'lc-fu', subjectId: s.subjectId, trigger: 'service', eventDate: today() }, staff(`co-${s.communityId}-1`));
        await rt.advanceDays(4, { jobs: false });
        await rt.act('lc-fu', { action: 'record_outcome', outcome: 'visited', date: today() }, staff(`co-${s.communityId}-1`), 'lc-fu-out', s.communityId);
      });
    }
    {
      const s = pick((x) => x.class === 'mobile');
      await run('certificate_check', 'a mobile woman registers, her certificate is valid 2 days later', async () => {
        await rt.openCase({ type: 'certificate_check', caseId: 'lc-cc', subjectId: s.subjectId, startDate: today() }, staff(`co-${s.communityId}-1`));
        await rt.advanceDays(2, { jobs: false });
        await rt.act('lc-cc', { action: 'record_outcome', outcome: 'valid', date: today() }, staff(`co-${s.communityId}-1`), 'lc-cc-out', s.communityId);
      });
    }
    {
      const month = addCalendarDays(`${today().slice(0, 7)}-01`, 40).slice(0, 7);
      await rt.advanceTo(businessInstant(`${month}-01`, '00:10'), { jobs: false });
      const community = rt.district.territory.ofKind('community')[0]!.id;
      await run('change_report', `one community's report for ${month}: opened on the 1st, filed on the 28th`, async () => {
        await rt.openCase({ type: 'change_report', communityId: community, month }, { kind: 'system', process: 'recurring-obligations' });
        await rt.advanceTo(at(`${month}-28`), { jobs: false });
        await rt.act(`change_report:${community}:${month}`, { action: 'record_outcome', outcome: 'filed', date: today() }, staff(`co-${community}-1`), 'lc-cr-out', community);
      });
    }
    {
      const year = today().slice(0, 4);
      await rt.advanceTo(businessInstant(`${year}-07-01`, '00:20'), { jobs: false });
      const w = pick((x) => x.class === 'co_managed' && !!x.unitId);
      await run('unit_notice', 'a unit’s half-yearly notice, opened 1 July, acknowledged by the community 5 days later', async () => {
        await rt.openCase({ type: 'unit_notice', unitId: w.unitId!, communityId: w.communityId, period: `${year}-H1` }, { kind: 'system', process: 'recurring-obligations' });
        await rt.advanceTo(at(`${year}-07-06`), { jobs: false });
        await rt.act(`unit_notice:${w.unitId}:${w.communityId}:${year}-H1`, { action: 'acknowledge' }, staff(`co-${w.communityId}-1`), 'lc-un-ack', w.communityId);
      });
    }
    {
      const w = pick((s) => s.class === 'co_managed' && !!s.unitId);
      await run('handover (never acknowledged)', 'opened, reminders 7 days before and on the due day, overdue to the street, to the district 7 days later, acknowledged 3 days after that', async () => {
        await rt.openCase({ type: 'handover', caseId: 'lc-ho-late', subjectId: w.subjectId, reason: 'resigned', separationDate: addCalendarDays(today(), -1) }, staff(`ul-${w.unitId}`));
        const due = (await rt.cases.get('lc-ho-late'))!.dueDate;
        await rt.advanceTo(new Date(Date.parse(startOfBusinessDay(addCalendarDays(due, 1))) + 10 * DAY + 10 * 3_600_000), { jobs: false });
        await rt.act('lc-ho-late', { action: 'acknowledge' }, staff(`co-${w.communityId}-1`), 'lc-ho-late-ack', w.communityId);
      });
    }

    console.log('');
    console.log('Figure 4 — Step Functions state transitions per lifecycle, and its cost against the naive design (one Standard execution per case, polling daily)');
    console.log('');
    console.log('  type                          days  transitions (sweeps)  naive transitions  ratio   cost (µ$)  naive (µ$)  cost ratio');
    for (const r of rows) {
      console.log(
        `  ${r.type.padEnd(29)} ${String(r.days).padStart(4)}  ${String(r.transitions).padStart(11)} (${r.sweeps})  ${String(r.naiveTransitions).padStart(17)}  ${(r.naiveTransitions / r.transitions).toFixed(1).padStart(5)}  ${(r.usd * 1e6).toFixed(1).padStart(9)}  ${(r.naiveUsd * 1e6).toFixed(1).padStart(10)}  ${(r.naiveUsd / r.usd).toFixed(2).padStart(10)}`,
      );
    }
    console.log('');
    console.log('  Sweeps are counted whole here (each fired one timer); on AWS a sweep runs every 15 minutes anyway and fires every timer due, so the marginal cost of a timer is 3 transitions (Map, FireTimer, MoreDue) — see the simulation for the district-year figure.');
    const file = writeResult('lifecycles', {
      district: config.id,
      prices: `${prices.region}, recorded ${prices.recordedOn}`,
      rows: rows.map((r) => ({ ...r, usd: round(r.usd * 1e6, 2), naiveUsd: round(r.naiveUsd * 1e6, 2), transitionsRatio: round(r.naiveTransitions / r.transitions, 2), costRatio: round(r.naiveUsd / r.usd, 3) })),
      units: 'usd and naiveUsd in micro-dollars per lifecycle',
    });
    console.log(`\nWrote ${file}`);
  } finally {
    await db.stop();
  }
}

await main();
