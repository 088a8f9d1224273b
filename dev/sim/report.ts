// The report of a simulated period: what the table holds at the end (read back with one Scan, after the run and
// outside the meters), checked against the events the generator made, with the counts the run measured and the
// AWS bill they come to. Everything here is deterministic for a seed except the `wall` section.
import { cpus, loadavg } from 'node:os';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Case, CaseType } from '../../functions/domain/case';
import { caseTypes } from '../../functions/domain/case';
import { checkCadence, checkPeriod } from '../../functions/domain/case-machines';
import type { Subject } from '../../functions/domain/people';
import { addCalendarDays, businessDateOf, businessInstant, endOfBusinessDay, type BusinessDate, type Instant } from '../../functions/domain/time';
import { createDynamoClient, documentClient } from '../../functions/store/client';
import { strip, type OutboxItem } from '../../functions/store/keys';
import { jobsBetween } from '../../functions/app/schedule';
import { costOf, type CostInputs, type CostReport, type FunctionCounts } from './cost';
import { endInstantOf, exogenousKinds, startInstantOf, type ExogenousSummary } from './events';
import { HARNESS, type Usage } from './observe';
import type { Prices } from './prices';
import type { MessageCounts } from './notifier';
import type { ProfileName } from './rates';
import type { SimulationResult, StepStats } from './runner';

export interface HistoryRow {
  caseId: string;
  seq: number;
  at: Instant;
  action: string;
  toState: string;
}

export interface TableContents {
  cases: Case[];
  history: HistoryRow[];
  outbox: Pick<OutboxItem, 'outboxId' | 'staffId' | 'template' | 'createdAt' | 'state' | 'delivery' | 'caseId' | 'expiresAt'>[];
  timersPending: number;
  feedback: number;
  subjects: Subject[];
  /** Estimated bytes stored: every item, and its copy in each index it is in (projection ALL), at 100 B overhead each. */
  storageBytes: number;
  items: number;
}

/**
 * Reads the whole table back (a parallel Scan: DynamoDB Local pages a long segment slowly, so 32 of them): the
 * simulation's end-of-period view, never the product's.
 */
const SEGMENTS = 32;

export async function readTable(endpoint: string, tableName: string, endAt: Instant): Promise<TableContents> {
  const doc = documentClient(createDynamoClient({ endpoint }));
  const out: TableContents = { cases: [], history: [], outbox: [], timersPending: 0, feedback: 0, subjects: [], storageBytes: 0, items: 0 };
  const expiresBefore = Date.parse(endAt) / 1000;
  await Promise.all(
    Array.from({ length: SEGMENTS }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: tableName, Segment: segment, TotalSegments: SEGMENTS, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) {
          const pk = String(item.PK);
          const sk = String(item.SK);
          const expired = typeof item.expiresAt === 'number' && item.expiresAt < expiresBefore;
          if (!expired) {
            const gsis = Object.keys(item).filter((k) => /^GSI\d+PK$/.test(k)).length;
            out.storageBytes += (Buffer.byteLength(JSON.stringify(item)) + 100) * (1 + gsis);
            out.items++;
          }
          if (sk === 'CASE' && pk.startsWith('CASE#')) {
            out.cases.push(strip<Case>(item));
            // Pending timers ride on their case's item.
            out.timersPending += Object.keys((item.timers ?? {}) as object).length;
          }
          else if (sk.startsWith('H#')) out.history.push({ caseId: String(item.caseId), seq: Number(item.seq), at: String(item.at), action: String(item.action), toState: String(item.toState) });
          else if (pk.startsWith('OUTBOX#')) {
            const o = strip<OutboxItem>(item);
            out.outbox.push({ outboxId: o.outboxId, staffId: o.staffId, template: o.template, createdAt: o.createdAt, state: o.state, ...(o.delivery ? { delivery: o.delivery } : {}), ...(o.caseId ? { caseId: o.caseId } : {}), ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}) });
          } else if (pk.startsWith('FEEDBACK#')) out.feedback++;
          else if (sk === 'SUBJECT') out.subjects.push(strip<Subject>(item));
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  const byId = (a: { caseId: string }, b: { caseId: string }) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0);
  out.cases.sort(byId);
  out.history.sort((a, b) => byId(a, b) || a.seq - b.seq);
  out.outbox.sort((a, b) => (a.outboxId < b.outboxId ? -1 : 1));
  out.subjects.sort((a, b) => (a.subjectId < b.subjectId ? -1 : 1));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------

export interface TypeOutcome {
  opened: number;
  onTime: number;
  late: number;
  openOverdue: number;
  openNotDue: number;
  cancelled: number;
  /** onTime ÷ (onTime + late + openOverdue): of the cases whose deadline has come, the share closed by it. */
  onTimeRate: number | null;
}

export interface Check {
  name: string;
  expected: number;
  actual: number;
  ok: boolean;
}

export interface SimReport {
  meta: {
    district: string;
    districtName: { zh: string; en: string };
    seed: number;
    start: BusinessDate;
    end: BusinessDate;
    days: number;
    rates: string;
    pricesRecordedOn: string;
    streets: { id: string; zh: string; en: string }[];
  };
  register: { atStart: Record<string, number>; atEnd: Record<string, number>; inflowsRegistered: number };
  profiles: { counts: Record<string, Record<ProfileName, number>>; byOrgUnit: Record<string, ProfileName> };
  events: { exogenous: ExogenousSummary; steps: StepStats };
  cases: {
    opened: number;
    byType: Record<CaseType, TypeOutcome>;
    byMonth: Record<string, Record<CaseType, number>>;
    byStreet: Record<string, Record<CaseType, TypeOutcome>>;
    finalStates: Record<string, number>;
  };
  overdueHandovers: { dates: BusinessDate[]; byStreet: Record<string, number[]>; peak: { date: BusinessDate; count: number } };
  escalations: { toStreet: Record<string, number>; toDistrict: Record<string, number>; manual: Record<string, number>; byMonth: Record<string, { toStreet: number; toDistrict: number }> };
  reminders: {
    intentsByTemplate: Record<string, number>;
    intents: number;
    messages: MessageCounts;
    /** One message per reminder or notice, by the recipient's channel preference (no digest). */
    naiveMessages: { sms: number; email: number };
    naiveByMonth: Record<string, { sms: number; email: number }>;
    smsPerCase: number;
    naiveSmsPerCase: number;
    /** Figure 5: smsPerCase ÷ naiveSmsPerCase. */
    smsRatio: number | null;
  };
  stepFunctions: {
    byWorkflow: Record<string, { executions: number; transitions: number }>;
    transitions: number;
    perCase: number;
    localSweeps: number;
    awsIdleSweeps: number;
  };
  lambda: Record<string, FunctionCounts>;
  dynamodb: {
    product: { readUnits: number; writeUnits: number; requests: number };
    bySender: Record<string, { readUnits: number; writeUnits: number; requests: number }>;
    harnessLeftOut: { readUnits: number; writeUnits: number; requests: number };
    itemWrites: Record<string, { puts: number; deletes: number; estimatedWriteUnits: number }>;
    perCase: { readUnits: number; writeUnits: number };
    storageBytes: number;
    itemsAtEnd: number;
    timersPendingAtEnd: number;
  };
  cost: CostReport & { perSubjectYearUsd: number; perCaseUsd: number };
  calibration: { name: string; source: string; simulated: number; reference: number; note: string }[];
  checks: Check[];
  wall: {
    seedSeconds: number;
    runSeconds: number;
    /** Of the period: the clock moving (jobs, sweeps, publisher, digest) and the staff steps. */
    advanceSeconds: number;
    stepsSeconds: number;
    reportSeconds: number;
    casesPerSecond: number;
    /** Mean wall milliseconds per invocation, locally (contention and DynamoDB Local included). */
    localHandlerMs: Record<string, number>;
    cpus: number;
    loadAverage: number[];
    node: string;
    generatedAt: string;
  };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const emptyOutcome = (): TypeOutcome => ({ opened: 0, onTime: 0, late: 0, openOverdue: 0, openNotDue: 0, cancelled: 0, onTimeRate: null });
const byTypeZero = <T>(f: () => T) => Object.fromEntries(caseTypes.map((t) => [t, f()])) as Record<CaseType, T>;
const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);

function classify(c: Case, endAt: Instant): keyof Omit<TypeOutcome, 'opened' | 'onTimeRate'> {
  if (c.status === 'cancelled') return 'cancelled';
  if (c.status === 'done') return (c.closedAt ?? c.updatedAt) <= c.dueAt ? 'onTime' : 'late';
  return c.dueAt < endAt ? 'openOverdue' : 'openNotDue';
}
function rate(o: TypeOutcome) {
  const due = o.onTime + o.late + o.openOverdue;
  o.onTimeRate = due > 0 ? round(o.onTime / due, 4) : null;
}

/**
 * The register over the period, replayed from the table: inflows join on their registration, acknowledged handovers
 * move a woman to her new community (a separation also makes her primary). Used to check what the jobs opened.
 */
function registerAt(initial: Subject[], inflows: Subject[], handovers: Case[]) {
  const changes = handovers
    .filter((c) => c.type === 'handover' && c.state === 'acknowledged' && c.subjectId)
    .map((c) => ({ at: c.closedAt ?? c.updatedAt, subjectId: c.subjectId!, communityId: c.ownerOrgUnitId, separation: c.data.fromKind === 'unit' }))
    .sort((a, b) => (a.at < b.at ? -1 : 1));
  return (at: Instant): Subject[] => {
    const map = new Map(initial.map((s) => [s.subjectId, { ...s }]));
    // An inflow registers in working hours (08:30 at the earliest), never before a job's run at 00:30.
    for (const s of inflows) if (businessInstant(s.registeredOn, '08:30') <= at) map.set(s.subjectId, { ...s });
    for (const ch of changes) {
      if (ch.at > at) break;
      const s = map.get(ch.subjectId);
      if (!s) continue;
      s.communityId = ch.communityId;
      if (ch.separation) {
        s.class = 'primary';
        delete s.unitId;
      }
    }
    return [...map.values()];
  };
}

export interface ReportInputs {
  sim: SimulationResult;
  table: TableContents;
  prices: Prices;
  ratesFile: string;
  reportSeconds?: number;
}

export function buildReport({ sim, table, prices, ratesFile, reportSeconds = 0 }: ReportInputs): SimReport {
  const { world } = sim;
  const startAt = startInstantOf(world);
  const endAt = endInstantOf(world);
  const endDate = addCalendarDays(world.start, world.days - 1);
  const streets = world.territory.ofKind('street').map((s) => s.id);
  const rules = sim.runtime.district.rules;

  // ---- cases
  const byType = byTypeZero(emptyOutcome);
  const byMonth: Record<string, Record<CaseType, number>> = {};
  const byStreet: Record<string, Record<CaseType, TypeOutcome>> = Object.fromEntries(streets.map((s) => [s, byTypeZero(emptyOutcome)]));
  const finalStates: Record<string, number> = {};
  for (const c of table.cases) {
    const k = classify(c, endAt);
    byType[c.type].opened++;
    byType[c.type][k]++;
    const st = (byStreet[c.ownerStreetId] ??= byTypeZero(emptyOutcome))[c.type];
    st.opened++;
    st[k]++;
    const month = businessDateOf(c.createdAt).slice(0, 7);
    (byMonth[month] ??= byTypeZero(() => 0))[c.type]++;
    bump(finalStates, `${c.type}.${c.state}`);
  }
  Object.values(byType).forEach(rate);
  for (const s of Object.values(byStreet)) Object.values(s).forEach(rate);

  // ---- overdue handovers by street, at the end of each day
  const handovers = table.cases.filter((c) => c.type === 'handover');
  const dates: BusinessDate[] = [];
  const series: Record<string, number[]> = Object.fromEntries(streets.map((s) => [s, []]));
  let peak = { date: world.start, count: 0 };
  for (let i = 0; i < world.days; i++) {
    const date = addCalendarDays(world.start, i);
    const t = endOfBusinessDay(date);
    dates.push(date);
    const counts: Record<string, number> = Object.fromEntries(streets.map((s) => [s, 0]));
    for (const c of handovers) {
      if (c.createdAt > t || c.dueAt >= t) continue;
      if (c.status !== 'open' && (c.closedAt ?? c.updatedAt) <= t) continue;
      counts[c.ownerStreetId] = (counts[c.ownerStreetId] ?? 0) + 1;
    }
    let total = 0;
    for (const s of streets) {
      series[s]!.push(counts[s] ?? 0);
      total += counts[s] ?? 0;
    }
    if (total > peak.count) peak = { date, count: total };
  }

  // ---- escalations (history)
  const typeOf = new Map(table.cases.map((c) => [c.caseId, c.type]));
  const escalations: SimReport['escalations'] = { toStreet: {}, toDistrict: {}, manual: {}, byMonth: {} };
  for (const h of table.history) {
    const type = typeOf.get(h.caseId) ?? 'unknown';
    const month = businessDateOf(h.at).slice(0, 7);
    if (h.action === 'overdue') {
      bump(escalations.toStreet, type);
      (escalations.byMonth[month] ??= { toStreet: 0, toDistrict: 0 }).toStreet++;
    } else if (h.action === 'escalate_district') {
      bump(escalations.toDistrict, type);
      (escalations.byMonth[month] ??= { toStreet: 0, toDistrict: 0 }).toDistrict++;
    } else if (h.action === 'escalate') bump(escalations.manual, type);
  }

  // ---- reminders and messages
  const staffById = new Map(world.config.staff.map((s) => [s.id, s]));
  const roleOf = (id: string) => staffById.get(id)?.role ?? 'unknown';
  const messages = sim.notifier.counts(roleOf);
  const intents = table.outbox.filter((o) => o.delivery !== 'summary' && o.template !== 'digest.daily');
  const intentsByTemplate: Record<string, number> = {};
  const naiveMessages = { sms: 0, email: 0 };
  const naiveByMonth: Record<string, { sms: number; email: number }> = {};
  for (const o of intents) {
    bump(intentsByTemplate, o.template);
    const ch = staffById.get(o.staffId)?.channel ?? 'sms';
    const m = (naiveByMonth[businessDateOf(o.createdAt).slice(0, 7)] ??= { sms: 0, email: 0 });
    if (ch === 'sms' || ch === 'both') (naiveMessages.sms++, m.sms++);
    if (ch === 'email' || ch === 'both') (naiveMessages.email++, m.email++);
  }
  const opened = table.cases.length;
  const smsPerCase = opened ? messages.sms / opened : 0;
  const naiveSmsPerCase = opened ? naiveMessages.sms / opened : 0;

  // ---- Step Functions, Lambda, DynamoDB
  const transitions = Object.values(sim.transitions).reduce((s, t) => s + t.transitions, 0);
  const usage = sim.observer.usage;
  const bySender: SimReport['dynamodb']['bySender'] = {};
  for (const [who, u] of [...usage.entries()].sort(([a], [b]) => a.localeCompare(b))) bySender[who] = { readUnits: round(u.readUnits, 1), writeUnits: round(u.writeUnits, 1), requests: u.requests };
  const product = sim.observer.total((s) => s !== HARNESS);
  const harness: Usage = usage.get(HARNESS) ?? { requests: 0, readUnits: 0, writeUnits: 0, byCommand: {} };
  const lambda: Record<string, FunctionCounts> = {};
  for (const [key, f] of Object.entries(sim.functions).sort(([a], [b]) => a.localeCompare(b))) {
    const u = usage.get(key);
    lambda[key] = { invocations: f.invocations, requests: u?.requests ?? 0, transactions: u?.byCommand.TransactWriteItemsCommand ?? 0 };
  }
  const reg = usage.get('registerSubject');
  if (reg) lambda.registerSubject = { invocations: 0, requests: reg.requests, transactions: 0 };

  // ---- naive design on the same cases
  const DAY = 86_400_000;
  let pollDays = 0;
  for (const c of table.cases) {
    const until = c.status === 'open' ? endAt : (c.closedAt ?? c.updatedAt);
    pollDays += Math.max(0, Math.ceil((Date.parse(until) - Date.parse(c.createdAt)) / DAY));
  }
  const staffActions = sim.commands.act;
  const w = sim.observer.itemWrites;
  // Timers ride on the case item (their bytes are in the case's writes); the outbox items are the mechanism's own.
  const mechanismWrites = w.outbox?.estimatedWriteUnits ?? 0;
  const off = (k: string) => usage.get(k) ?? { readUnits: 0, writeUnits: 0 };
  const naiveWrites = Math.max(0, product.writeUnits - mechanismWrites - off('publisher').writeUnits - off('dailyDigest').writeUnits);
  const naiveReads =
    product.readUnits - off('listDueTimers').readUnits - off('fireTimer').readUnits - off('publisher').readUnits - off('dailyDigest').readUnits + pollDays * prices.assumptions.readRequestUnitsPerEmptyQuery;
  const jobRuns = (sim.transitions['health-checks']?.executions ?? 0) + (sim.transitions['recurring-obligations']?.executions ?? 0);
  const costInputs: CostInputs = {
    days: world.days,
    transitions,
    localSweeps: sim.sweeps,
    functions: lambda,
    dynamodb: { readUnits: product.readUnits, writeUnits: product.writeUnits, storageBytes: table.storageBytes },
    messages: { sms: messages.sms, email: messages.email },
    jobRuns,
    naive: { executions: opened, pollDays, staffActions, messages: naiveMessages, writeUnits: naiveWrites, readUnits: naiveReads },
  };
  const cost = costOf(costInputs, prices);
  const subjectsAtEnd = table.subjects.length;

  // ---- register
  const count = (list: Subject[]) => ({
    primary: list.filter((s) => s.class === 'primary').length,
    co_managed: list.filter((s) => s.class === 'co_managed').length,
    mobile: list.filter((s) => s.class === 'mobile').length,
    total: list.length,
  });
  const inflowSubjects = table.subjects.filter((s) => s.subjectId.startsWith('s-in-'));

  // ---- calibration against the source document
  const c = world.rates.calibration;
  const yearFactor = 365 / world.days;
  const subjects0 = world.subjects.length;
  const followUps = byType.follow_up.opened;
  const attended = sim.steps.outcomes['health_check.attended'] ?? 0;
  const yilingSubjects = c.yilingPopulation * c.subjectShareOfPopulationAssumed;
  const handoverCount = byType.handover.opened;
  const calibration: SimReport['calibration'] = [
    {
      name: 'follow-up visits per subject per year',
      source: 'line 221: 开展随访服务近6万人次 (Yiling, 526,546 people, line 233)',
      simulated: round((followUps / subjects0) * yearFactor, 3),
      reference: round(c.yilingFollowUps / c.yilingYearsAssumed / yilingSubjects, 3),
      note: `60,000 over ${c.yilingYearsAssumed} years (assumed) for ${Math.round(yilingSubjects).toLocaleString('en')} subjects (${c.subjectShareOfPopulationAssumed * 100}% of the population, assumed)`,
    },
    {
      name: 'check visits (attended) per subject per year',
      source: 'line 221: 查孕、查环、查病服务近50万人次; line 184 cadence',
      simulated: round((attended / subjects0) * yearFactor, 3),
      reference: round(c.yilingCheckVisits / c.yilingYearsAssumed / yilingSubjects, 3),
      note: 'Yiling is largely rural with implants and sterilisations not checked; Chuanhui checks everyone 2–3 times a year',
    },
    {
      name: 'handovers per subject per year',
      source: 'line 26: 剥离和移交到镇村管理的已婚育龄妇女532人 in 4 months of re-registration',
      simulated: round((handoverCount / subjects0) * yearFactor, 4),
      reference: round((c.chuanhuiTransfersInFourMonths * 3) / (c.chuanhuiRegister.primary + c.chuanhuiRegister.co_managed + c.chuanhuiRegister.mobile), 4),
      note: 'the 532 were a one-off clean-up; the steady rate is taken at about half of it plus separations (see README)',
    },
    {
      name: 'check attendance, all classes',
      source: 'line 229: 流入重点对象参加本地"三查"比例达到96.4%',
      simulated: round((sim.steps.outcomes['health_check.attended'] ?? 0) / Math.max(1, Object.entries(sim.steps.outcomes).filter(([k]) => k.startsWith('health_check.')).reduce((s, [, n]) => s + n, 0)), 3),
      reference: c.checkParticipation,
      note: 'all classes; the mobile share is set to 96.4% in the rates file, the others to 92%',
    },
  ];

  // ---- checks: the report against the events
  const checks: Check[] = [];
  const check = (name: string, expected: number, actual: number) => checks.push({ name, expected, actual, ok: expected === actual });
  // Follow-on cases carry their parent's id with a suffix (`sim-cert-00003.2`): count the originals only.
  const prefixCount = (prefix: string) => table.cases.filter((x) => x.caseId.startsWith(prefix) && !x.parentCaseId).length;
  const ex = sim.exogenous;
  check('separations opened = handover cases sim-sep-*', ex.opened.separation, prefixCount('sim-sep-'));
  check('moves opened = handover cases sim-move-*', ex.opened.move, prefixCount('sim-move-'));
  check('inflows = certificate checks sim-cert-*', ex.opened.inflow, prefixCount('sim-cert-'));
  check('inflows = subjects registered', ex.opened.inflow, inflowSubjects.length);
  for (const k of ['birth', 'service', 'return'] as const) check(`${k}s = follow-ups sim-fu-${k}-*`, ex.opened[k], prefixCount(`sim-fu-${k}-`));
  check('steps the product refused', 0, sim.steps.failed.length);
  const fu = table.cases.filter((x) => x.type === 'follow_up');
  check('absent health checks = check_absence follow-ups', sim.steps.outcomes['health_check.absent'] ?? 0, fu.filter((x) => x.data.trigger === 'check_absence').length);
  const firstUnreachable = fu.filter((x) => x.state === 'not_reachable' && (x.data.attempt ?? 1) === 1).length;
  check('first not_reachable visits = retry follow-ups', firstUnreachable, fu.filter((x) => x.data.trigger === 'retry').length);
  check('moved_away visits = follow-on handovers', sim.steps.outcomes['follow_up.moved_away'] ?? 0, handovers.filter((x) => x.parentCaseId && typeOf.get(x.parentCaseId) === 'follow_up').length);
  // Applications: each one received opens a case; each opinion given forwards one to its street; each decision closes one.
  const apps = table.cases.filter((x) => x.type === 'application');
  const outcomes = (...keys: string[]) => keys.reduce((a, k) => a + (sim.steps.outcomes[`application.${k}`] ?? 0), 0);
  check('applications received = cases sim-app-*', ex.opened.application, prefixCount('sim-app-'));
  check('application opinions given = applications past the opinion step', outcomes('supported', 'not_supported'), apps.filter((x) => x.state !== 'awaiting_opinion' && x.state !== 'cancelled').length);
  check('application decisions = applications approved or refused', outcomes('approved', 'refused'), apps.filter((x) => x.state === 'approved' || x.state === 'refused').length);
  const verify = table.cases.filter((x) => x.type === 'certificate_check');
  check(
    'missing/expired certificates = apply/renew sub-cases',
    verify.filter((x) => x.data.task === 'verify' && (x.state === 'missing' || x.state === 'expired')).length,
    verify.filter((x) => x.data.task !== 'verify').length,
  );
  // Jobs: what the generators should have opened, from the register as it stood at each run.
  const reg0 = registerAt(world.subjects, inflowSubjects, handovers);
  const jobs = jobsBetween(new Date(Date.parse(startAt) - 1).toISOString(), new Date(Date.parse(endAt) - 1).toISOString());
  const expectedChecks = new Set<string>();
  const expectedNotices = new Set<string>();
  let expectedReports = 0;
  for (const job of jobs) {
    if (job.kind === 'health_checks') {
      for (const s of reg0(job.at)) {
        const { perYear } = checkCadence(s, job.periodOf, rules);
        expectedChecks.add(`${s.subjectId}:${checkPeriod(job.periodOf, perYear).start}`);
      }
    } else if (job.kind === 'unit_notice') {
      for (const s of reg0(job.at)) if (s.class === 'co_managed' && s.unitId) expectedNotices.add(`${s.unitId}:${s.communityId}:${job.period}`);
    } else if (job.kind === 'change_report') expectedReports += world.territory.ofKind('community').length;
  }
  check('health checks opened = (subject, period) pairs the register called for', expectedChecks.size, byType.health_check.opened);
  check('unit notices opened = (unit, community) pairs of co_managed subjects at each half-year', expectedNotices.size, byType.unit_notice.opened);
  check('change reports opened = communities × months', expectedReports, byType.change_report.opened);
  for (const t of caseTypes) {
    const o = byType[t];
    check(`${t}: on time + late + open + cancelled = opened`, o.opened, o.onTime + o.late + o.openOverdue + o.openNotDue + o.cancelled);
  }
  check(
    'staff commands run = commands the case service applied',
    Object.values(sim.steps.acted).reduce((a, b) => a + b, 0),
    sim.commands.act,
  );

  const profileCounts: Record<string, Record<ProfileName, number>> = {};
  const byOrgUnit: Record<string, ProfileName> = {};
  for (const p of world.profiles.all()) {
    (profileCounts[p.kind] ??= { prompt: 0, slow: 0, late: 0, never_shares: 0 })[p.profile]++;
    byOrgUnit[p.orgUnitId] = p.profile;
  }

  const localHandlerMs: Record<string, number> = {};
  for (const [k, f] of Object.entries(sim.functions)) localHandlerMs[k] = f.invocations ? round(f.ms / f.invocations, 1) : 0;

  return {
    meta: {
      district: world.config.id,
      districtName: world.config.name,
      seed: world.seed,
      start: world.start,
      end: endDate,
      days: world.days,
      rates: ratesFile,
      pricesRecordedOn: prices.recordedOn,
      streets: world.config.streets.map((s) => ({ id: s.id, zh: s.name.zh, en: s.name.en })),
    },
    register: { atStart: count(world.subjects), atEnd: count(table.subjects), inflowsRegistered: inflowSubjects.length },
    profiles: { counts: profileCounts, byOrgUnit },
    events: { exogenous: sim.exogenous, steps: sim.steps },
    cases: { opened, byType, byMonth: Object.fromEntries(Object.entries(byMonth).sort()), byStreet, finalStates: Object.fromEntries(Object.entries(finalStates).sort()) },
    overdueHandovers: { dates, byStreet: series, peak },
    escalations,
    reminders: {
      intentsByTemplate: Object.fromEntries(Object.entries(intentsByTemplate).sort()),
      intents: intents.length,
      messages,
      naiveMessages,
      naiveByMonth: Object.fromEntries(Object.entries(naiveByMonth).sort()),
      smsPerCase: round(smsPerCase, 4),
      naiveSmsPerCase: round(naiveSmsPerCase, 4),
      smsRatio: naiveSmsPerCase > 0 ? round(smsPerCase / naiveSmsPerCase, 4) : null,
    },
    stepFunctions: {
      byWorkflow: Object.fromEntries(Object.entries(sim.transitions).sort()),
      transitions,
      perCase: opened ? round(transitions / opened, 2) : 0,
      localSweeps: sim.sweeps,
      awsIdleSweeps: Math.max(0, Math.round((world.days * 1440) / prices.schedules.sweeperEveryMinutes) - sim.sweeps),
    },
    lambda,
    dynamodb: {
      product: { readUnits: round(product.readUnits, 1), writeUnits: round(product.writeUnits, 1), requests: product.requests },
      bySender,
      harnessLeftOut: { readUnits: round(harness.readUnits, 1), writeUnits: round(harness.writeUnits, 1), requests: harness.requests },
      itemWrites: Object.fromEntries(Object.entries(sim.observer.itemWrites).sort()),
      perCase: { readUnits: opened ? round(product.readUnits / opened, 2) : 0, writeUnits: opened ? round(product.writeUnits / opened, 2) : 0 },
      storageBytes: table.storageBytes,
      itemsAtEnd: table.items,
      timersPendingAtEnd: table.timersPending,
    },
    cost: { ...cost, perSubjectYearUsd: subjectsAtEnd ? round((cost.ours.totalUsd / subjectsAtEnd) * yearFactor, 6) : 0, perCaseUsd: opened ? round(cost.ours.totalUsd / opened, 6) : 0 },
    calibration,
    checks,
    wall: {
      seedSeconds: round(sim.wall.seedSeconds, 1),
      runSeconds: round(sim.wall.runSeconds, 1),
      advanceSeconds: round(sim.wall.advanceSeconds, 1),
      stepsSeconds: round(sim.wall.stepsSeconds, 1),
      reportSeconds: round(reportSeconds, 1),
      casesPerSecond: sim.wall.runSeconds > 0 ? round(opened / sim.wall.runSeconds, 1) : 0,
      localHandlerMs,
      cpus: cpus().length,
      loadAverage: loadavg().map((x) => round(x, 2)),
      node: process.version,
      generatedAt: new Date().toISOString(),
    },
  };
}

export { exogenousKinds };
