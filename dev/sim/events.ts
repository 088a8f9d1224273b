// The synthetic event stream: pure and seeded.
//
//   exogenousEvents(world)       → every event from outside the product over the simulated period, in time order:
//                                  separations of co_managed subjects (a unit hands her over), moves between
//                                  communities, inflows of mobile subjects (registration + certificate check),
//                                  births, services and returns that open follow-up visits, and applications a
//                                  community receives (opinion, then the street's decision).
//   planCase(world, case)        → what staff will do about one case the product opened (whoever opened it: a
//                                  staff member, the health-check generator, the recurring obligations, a follow-on):
//                                  which command, by whom, at which instant, or nothing at all (a case nobody acts on).
//
// Nothing here reads a clock or the table. Every random draw comes from a stream keyed by the seed and by the
// case id (or the event), so the plan of a case does not depend on the order cases were discovered in, and the
// same seed gives the same stream.
import type { WorkCalendar } from '../../functions/domain/calendar';
import type { Actor, Case } from '../../functions/domain/case';
import type { DistrictConfig, StaffRole } from '../../functions/domain/district-config';
import type { Subject } from '../../functions/domain/people';
import type { Territory } from '../../functions/domain/territory';
import { addCalendarDays, businessDateOf, businessInstant, daysBetween, startOfBusinessDay, type BusinessDate, type Instant } from '../../functions/domain/time';
import { behaviourOf, type Profiles } from './profiles';
import type { LagTask, Rates } from './rates';
import { rngFor, shuffle, type Rng } from './rng';
import { actingInstant, nextSlot, type WorkingTime } from './timing';

export const exogenousKinds = ['separation', 'move', 'inflow', 'birth', 'service', 'return', 'application'] as const;
export type ExogenousKind = (typeof exogenousKinds)[number];

/** Everything the generator and the planner need; built once per run. */
export interface World {
  config: DistrictConfig;
  territory: Territory;
  calendar: WorkCalendar;
  rates: Rates;
  profiles: Profiles;
  seed: number;
  /** First simulated business date (00:00 Asia/Shanghai). */
  start: BusinessDate;
  days: number;
  /** The register at the start (the seeded synthetic subjects). */
  subjects: Subject[];
}

export const startInstantOf = (w: Pick<World, 'start'>): Instant => startOfBusinessDay(w.start);
export const endInstantOf = (w: Pick<World, 'start' | 'days'>): Instant => startOfBusinessDay(addCalendarDays(w.start, w.days));

/** Open a case (and, for an inflow, register the subject first). */
export interface OpenStep {
  kind: 'open';
  at: Instant;
  /** Unique and sortable: ties at one instant run in id order. */
  id: string;
  origin: ExogenousKind;
  input: Record<string, unknown>;
  actor: Actor;
  /** An inflow: the subject registered in her community just before the case opens. */
  register?: Subject;
}

/** A staff command on a case the product opened. */
export interface ActStep {
  kind: 'act';
  at: Instant;
  id: string;
  caseId: string;
  caseType: Case['type'];
  task: LagTask;
  command: Record<string, unknown>;
  /** Who acts; `router` is resolved when the step runs: the street holding the case, or the district once it is there. */
  by: { actor: Actor; orgUnitId: string } | 'router';
  /** Planned for this owner: if the case has moved to another owner meanwhile, the step is dropped (a new plan exists). */
  owner: string;
}

export type Step = OpenStep | ActStep;

export function compareSteps(a: Step, b: Step): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface ExogenousSummary {
  /** Events that happened in the period, by kind. */
  happened: Record<ExogenousKind, number>;
  /** …of which the product hears about in the period (a case is opened). */
  opened: Record<ExogenousKind, number>;
  /** …of which no one reports (a never_shares unit or community, or the report falls after the end). */
  neverReported: Record<ExogenousKind, number>;
  reportedAfterEnd: Record<ExogenousKind, number>;
}

const zero = (): Record<ExogenousKind, number> => ({ separation: 0, move: 0, inflow: 0, birth: 0, service: 0, return: 0, application: 0 });

// ---------------------------------------------------------------------------------------------------------------------
// Staff directory

function staffDirectory(config: DistrictConfig) {
  const by = new Map<string, string[]>();
  for (const s of config.staff) {
    const key = `${s.orgUnitId}|${s.role}`;
    by.set(key, [...(by.get(key) ?? []), s.id].sort());
  }
  return (orgUnitId: string, role: StaffRole, rng?: Rng): Actor => {
    const ids = by.get(`${orgUnitId}|${role}`);
    if (!ids || ids.length === 0) throw new Error(`district ${config.id}: no ${role} at ${orgUnitId}`);
    return { kind: 'staff', staffId: rng ? rng.element(ids) : ids[0]! };
  };
}

const directories = new WeakMap<DistrictConfig, ReturnType<typeof staffDirectory>>();
function staffOf(world: World, orgUnitId: string, role: StaffRole, rng?: Rng): Actor {
  let dir = directories.get(world.config);
  if (!dir) directories.set(world.config, (dir = staffDirectory(world.config)));
  return dir(orgUnitId, role, rng);
}

function roleAt(world: World, orgUnitId: string): StaffRole {
  switch (world.territory.require(orgUnitId).kind) {
    case 'unit':
      return 'unit_liaison';
    case 'community':
      return 'community_officer';
    case 'street':
      return 'street_officer';
    case 'district':
      return 'district_manager';
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Exogenous events

/** A date in [from, from + days), weighted by month. */
function datePicker(from: BusinessDate, days: number, monthWeights?: readonly number[]) {
  const dates: BusinessDate[] = [];
  const cum: number[] = [];
  let acc = 0;
  for (let i = 0; i < days; i++) {
    const d = addCalendarDays(from, i);
    const monthDays = new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)), 0)).getUTCDate();
    acc += monthWeights ? (monthWeights[Number(d.slice(5, 7)) - 1] ?? 0) / monthDays : 1;
    dates.push(d);
    cum.push(acc);
  }
  return (rng: Rng): BusinessDate => {
    const x = rng.next() * acc;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return dates[lo]!;
  };
}

/** Expected yearly weight of a period: the share of the year's month weights that falls in it. */
function yearShare(from: BusinessDate, days: number, monthWeights?: readonly number[]): number {
  if (!monthWeights) return days / 365;
  const total = monthWeights.reduce((a, b) => a + b, 0);
  let share = 0;
  for (let i = 0; i < days; i++) {
    const d = addCalendarDays(from, i);
    const monthDays = new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)), 0)).getUTCDate();
    share += (monthWeights[Number(d.slice(5, 7)) - 1] ?? 0) / total / monthDays;
  }
  return share;
}

/** Events whose report may land in the period start before it: a separation a month before is reported in it. */
const LEAD_IN_DAYS = 60;

export function exogenousEvents(world: World): { steps: OpenStep[]; summary: ExogenousSummary } {
  const { rates, seed, territory } = world;
  const w: WorkingTime = { calendar: world.calendar, hours: rates.workingHours };
  const startAt = startInstantOf(world);
  const endAt = endInstantOf(world);
  const summary: ExogenousSummary = { happened: zero(), opened: zero(), neverReported: zero(), reportedAfterEnd: zero() };
  const steps: OpenStep[] = [];
  const subjects = [...world.subjects].sort((a, b) => a.subjectId.localeCompare(b.subjectId));
  const communities = territory.ofKind('community').map((c) => c.id);
  const weightOf = new Map(world.config.streets.flatMap((s) => s.communities.map((c) => [c.id, c.weight] as const)));
  const reserved = reservedSubjects(world);

  /** Poisson count of a kind, its event dates (lead-in included), in a seeded order. */
  const draw = (kind: ExogenousKind, perYear: number, population: number, leadIn: number, monthWeights?: readonly number[]) => {
    const from = addCalendarDays(world.start, -leadIn);
    const span = world.days + leadIn;
    const rng = rngFor(seed, 'events', kind);
    const n = rng.poisson(perYear * population * yearShare(from, span, monthWeights) * (monthWeights ? 1 : 365 / 365));
    const pickDate = datePicker(from, span, monthWeights);
    return { rng, dates: Array.from({ length: n }, () => pickDate(rng)).sort() };
  };

  const push = (kind: ExogenousKind, eventDate: BusinessDate, openAt: Instant | undefined, make: (at: Instant) => Omit<OpenStep, 'at' | 'kind' | 'origin'>) => {
    if (eventDate >= world.start) summary.happened[kind]++;
    if (openAt === undefined) {
      if (eventDate >= world.start) summary.neverReported[kind]++;
      return;
    }
    if (openAt < startAt) return; // happened and reported before the period: not simulated
    if (openAt >= endAt) {
      summary.reportedAfterEnd[kind]++;
      return;
    }
    if (eventDate < world.start) summary.happened[kind]++; // happened in the lead-in, reported in the period
    summary.opened[kind]++;
    steps.push({ kind: 'open', at: openAt, origin: kind, ...make(openAt) });
  };

  // Separations: a co_managed subject leaves her unit; the unit opens the handover (or never does).
  {
    const pool = subjects.filter((s) => reserved.separation.has(s.subjectId));
    const { rng, dates } = draw('separation', rates.separations.perCoManagedSubjectPerYear, subjects.filter((s) => s.class === 'co_managed').length, LEAD_IN_DAYS);
    const chosen = shuffle([...pool], rngFor(seed, 'events', 'separation', 'who')).slice(0, dates.length);
    dates.slice(0, chosen.length).forEach((date, i) => {
      const s = chosen[i]!;
      const b = behaviourOf(rates, world.profiles.of(s.unitId!), 'handover_report', rng);
      const openAt = b.never ? undefined : actingInstant(businessInstant(date, '09:00'), b.lagDays, rng, w);
      const reason = rng.pick(rates.separations.reasons);
      push('separation', date, openAt, () => ({
        id: `sep-${String(i).padStart(5, '0')}`,
        input: { type: 'handover', caseId: `sim-sep-${String(i).padStart(5, '0')}`, subjectId: s.subjectId, reason, separationDate: date },
        actor: staffOf(world, s.unitId!, 'unit_liaison'),
      }));
    });
  }

  // Moves between communities: the sending community opens the handover; the destination may be unknown.
  {
    const pool = subjects.filter((s) => reserved.move.has(s.subjectId));
    const { rng, dates } = draw('move', rates.moves.perSubjectPerYear, subjects.length, LEAD_IN_DAYS);
    const chosen = shuffle([...pool], rngFor(seed, 'events', 'move', 'who')).slice(0, dates.length);
    dates.slice(0, chosen.length).forEach((date, i) => {
      const s = chosen[i]!;
      const from = s.communityId;
      const b = behaviourOf(rates, world.profiles.of(from), 'move_report', rng);
      const openAt = b.never ? undefined : actingInstant(businessInstant(date, '09:00'), b.lagDays, rng, w);
      const unknown = rng.chance(rates.moves.destinationUnknownShare);
      const to = destination(world, from, rates.moves.sameStreetShare, rng);
      push('move', date, openAt, () => ({
        id: `move-${String(i).padStart(5, '0')}`,
        input: { type: 'handover', caseId: `sim-move-${String(i).padStart(5, '0')}`, subjectId: s.subjectId, reason: 'moved', separationDate: date, ...(unknown ? {} : { toCommunityId: to }) },
        actor: staffOf(world, from, 'community_officer'),
      }));
    });
  }

  // Inflows: a mobile woman registers in a community; her certificate check opens at registration.
  {
    const mobile = subjects.filter((s) => s.class === 'mobile').length;
    const { rng, dates } = draw('inflow', rates.inflows.perMobileSubjectPerYear, mobile, 0, rates.inflows.monthWeights);
    const weights = Object.fromEntries(communities.map((c) => [c, weightOf.get(c) ?? 1]));
    dates.forEach((date, i) => {
      const communityId = rng.pick(weights);
      const at = nextSlot(businessInstant(date, '08:30'), w);
      const registeredOn = businessDateOf(at);
      const subject: Subject = { subjectId: `s-in-${String(i + 1).padStart(5, '0')}`, class: 'mobile', communityId, registeredOn };
      push('inflow', date, at, () => ({
        id: `inflow-${String(i).padStart(5, '0')}`,
        input: { type: 'certificate_check', caseId: `sim-cert-${String(i).padStart(5, '0')}`, subjectId: subject.subjectId, task: 'verify', startDate: registeredOn },
        actor: staffOf(world, communityId, 'community_officer', rng),
        register: subject,
      }));
    });
  }

  // Births, services and returns: a follow-up visit opens when the community hears of the event.
  const followUp = (kind: 'birth' | 'service' | 'return', perYear: number, pool: Subject[], monthWeights?: readonly number[]) => {
    const { rng, dates } = draw(kind, perYear, pool.length, 7, monthWeights);
    const order = shuffle([...pool], rngFor(seed, 'events', kind, 'who'));
    const [lo, hi] = rates.followUps.reportLagDays[kind];
    dates.forEach((date, i) => {
      // Births and returns happen to different women; a woman may have two services in a year.
      const s = kind === 'service' ? rng.element(pool) : order[i % order.length]!;
      const reportOn = addCalendarDays(date, rng.int(lo, hi));
      const at = nextSlot(businessInstant(reportOn, rng.element(['08:30', '10:00', '14:30'])), w);
      push(kind, date, at, () => ({
        id: `${kind}-${String(i).padStart(5, '0')}`,
        input: { type: 'follow_up', caseId: `sim-fu-${kind}-${String(i).padStart(5, '0')}`, subjectId: s.subjectId, trigger: kind, eventDate: date },
        actor: { kind: 'system', process: kind === 'service' ? 'service-station' : 'building-heads' },
      }));
    });
  };
  followUp('birth', rates.followUps.birthsPerSubjectPerYear, subjects);
  followUp('service', rates.followUps.servicesPerSubjectPerYear, subjects);
  followUp(
    'return',
    rates.followUps.returnsPerMobileSubjectPerYear,
    subjects.filter((s) => s.class === 'mobile'),
    rates.followUps.returnMonthWeights,
  );

  // Applications: a woman hands an application in at her community on a working day, which opens the case then.
  // What for: a code of the district's list, by the rates' shares (uniformly among its codes if it lists none of them).
  {
    const codes = (world.config.applications ?? []).map((a) => a.code);
    if (codes.length > 0) {
      const known = Object.fromEntries(codes.map((c) => [c, rates.applications.codeShares[c] ?? 0]));
      const weights = Object.values(known).some((x) => x > 0) ? known : Object.fromEntries(codes.map((c) => [c, 1]));
      const { rng, dates } = draw('application', rates.applications.perSubjectPerYear, subjects.length, 0);
      dates.forEach((date, i) => {
        const s = rng.element(subjects);
        const at = nextSlot(businessInstant(date, rng.element(['08:30', '10:00', '14:30'])), w);
        const code = rng.pick(weights);
        const id = String(i).padStart(5, '0');
        push('application', date, at, () => ({
          id: `application-${id}`,
          input: { type: 'application', caseId: `sim-app-${id}`, subjectId: s.subjectId, code, receivedOn: businessDateOf(at) },
          actor: staffOf(world, s.communityId, 'community_officer', rng),
        }));
      });
    }
  }

  steps.sort(compareSteps);
  return { steps, summary };
}

/**
 * Subjects set aside for a separation or a move this year (each woman at most one handover from outside), so
 * that no other event changes her unit or community first. The planner never gives them a moved_away outcome.
 */
export function reservedSubjects(world: World): { separation: Set<string>; move: Set<string>; all: Set<string> } {
  const key = world;
  const cached = reservedCache.get(key);
  if (cached) return cached;
  const sorted = [...world.subjects].sort((a, b) => a.subjectId.localeCompare(b.subjectId));
  const rng = rngFor(world.seed, 'reserved');
  const separation = new Set<string>();
  const move = new Set<string>();
  // Enough for a Poisson draw far above its mean: 2× the expected count + 20.
  const expect = (rate: number, n: number) => Math.ceil(2 * rate * n * ((world.days + LEAD_IN_DAYS) / 365)) + 20;
  const co = shuffle(
    sorted.filter((s) => s.class === 'co_managed' && s.unitId),
    rng,
  );
  co.slice(0, expect(world.rates.separations.perCoManagedSubjectPerYear, co.length)).forEach((s) => separation.add(s.subjectId));
  const rest = shuffle(
    sorted.filter((s) => !separation.has(s.subjectId)),
    rng,
  );
  rest.slice(0, expect(world.rates.moves.perSubjectPerYear, sorted.length)).forEach((s) => move.add(s.subjectId));
  const out = { separation, move, all: new Set([...separation, ...move]) };
  reservedCache.set(key, out);
  return out;
}
const reservedCache = new WeakMap<World, { separation: Set<string>; move: Set<string>; all: Set<string> }>();

/** Another community: in the same street with probability `sameStreet`, else anywhere in the district. */
function destination(world: World, from: string, sameStreet: number, rng: Rng): string {
  const street = world.territory.streetOf(from);
  const all = world.territory
    .ofKind('community')
    .map((c) => c.id)
    .filter((c) => c !== from)
    .sort();
  const near = all.filter((c) => world.territory.streetOf(c) === street);
  const list = near.length > 0 && rng.chance(sameStreet) ? near : all;
  if (list.length === 0) throw new Error(`district ${world.config.id} has one community only: nowhere to move`);
  return rng.element(list);
}

// ---------------------------------------------------------------------------------------------------------------------
// Staff plans for the cases the product opened

const str = (c: Case, key: string): string | undefined => {
  const v = c.data[key];
  return typeof v === 'string' ? v : undefined;
};

/**
 * What staff will do next about a case, given its owner and state. Called when the product opens a case, and again
 * when a handover changes hands (rejected to the street, or reassigned to another community). Returns no step for a
 * case nobody will act on.
 */
export function planCase(world: World, c: Case): ActStep[] {
  if (c.status !== 'open') return [];
  const { rates } = world;
  const w: WorkingTime = { calendar: world.calendar, hours: rates.workingHours };
  const owner = c.ownerOrgUnitId;
  const rng = rngFor(world.seed, 'plan', c.caseId, owner, c.state === 'rerouting' ? 'reroute' : 'work');
  const ownerProfile = world.profiles.of(owner);
  const step = (task: LagTask, at: Instant, command: Record<string, unknown>, by: ActStep['by']): ActStep[] => [
    { kind: 'act', at, id: `${c.caseId}|${owner}|${task}`, caseId: c.caseId, caseType: c.type, task, command, by, owner },
  ];
  const byOwner = (orgUnitId = owner) => ({ actor: staffOf(world, orgUnitId, roleAt(world, orgUnitId), rng), orgUnitId });
  const dateOf = (at: Instant) => businessDateOf(at);

  switch (c.type) {
    case 'handover': {
      if (c.state === 'rerouting') {
        // The street re-routes it (or the district, if it has reached the district by then).
        const street = world.territory.streetOf(owner)!;
        const b = behaviourOf(rates, world.profiles.of(street), 'handover_reroute', rng);
        if (b.never) return [];
        const at = actingInstant(c.updatedAt, b.lagDays, rng, w);
        const exclude = new Set([owner, str(c, 'fromOrgUnitId'), str(c, 'rejectedBy')].filter((x): x is string => !!x));
        const candidates = world.territory
          .ofKind('community')
          .map((u) => u.id)
          .filter((id) => !exclude.has(id))
          .sort();
        const near = candidates.filter((id) => world.territory.streetOf(id) === street);
        const to = rng.element(near.length > 0 && rng.chance(rates.moves.sameStreetShare) ? near : candidates);
        return step('handover_reroute', at, { action: 'reassign', toOrgUnitId: to, reason: 'routed to the community she lives in' }, 'router');
      }
      const b = behaviourOf(rates, ownerProfile, 'handover_ack', rng);
      if (b.never) return [];
      const at = actingInstant(c.updatedAt, b.lagDays, rng, w);
      const firstOwner = c.data.reassignments === undefined && c.data.rejections === 0;
      const rejectShare = str(c, 'reason') === 'moved' ? rates.moves.rejectedByCommunityShare : rates.separations.rejectedByCommunityShare;
      if (firstOwner && rng.chance(rejectShare)) return step('handover_ack', at, { action: 'reject', reason: 'not registered in this community' }, byOwner());
      return step('handover_ack', at, { action: 'acknowledge' }, byOwner());
    }

    case 'follow_up': {
      const b = behaviourOf(rates, ownerProfile, 'follow_up_visit', rng);
      if (b.never) return [];
      const windowStart = str(c, 'windowStart') ?? dateOf(c.createdAt);
      const anchor = businessInstant(windowStart, '08:30') > c.createdAt ? businessInstant(windowStart, '08:30') : c.createdAt;
      const at = actingInstant(anchor, b.lagDays, rng, w, c.createdAt);
      let outcome = rng.pick(rates.followUps.outcomes);
      const subjectId = c.subjectId ?? '';
      if (outcome === 'moved_away' && reservedSubjects(world).all.has(subjectId)) outcome = 'visited';
      const command: Record<string, unknown> = { action: 'record_outcome', outcome, date: dateOf(at) };
      if (outcome === 'moved_away' && rng.chance(rates.followUps.movedAwayKnownDestinationShare)) {
        command.toCommunityId = destination(world, str(c, 'communityId') ?? owner, rates.moves.sameStreetShare, rng);
      }
      return step('follow_up_visit', at, command, byOwner());
    }

    case 'health_check': {
      const b = behaviourOf(rates, ownerProfile, 'health_check_record', rng);
      if (b.never) return [];
      const periodEnd = str(c, 'periodEnd') ?? c.dueDate;
      // She comes on her community's published check day; with no check day left in the period, some day before its end.
      let checkDay = str(c, 'checkDay');
      if (!checkDay) {
        const latest = addCalendarDays(periodEnd, -rng.int(0, 20));
        checkDay = latest > dateOf(c.createdAt) ? latest : dateOf(c.createdAt);
      }
      const anchor = businessInstant(checkDay, '09:00') > c.createdAt ? businessInstant(checkDay, '09:00') : c.createdAt;
      const at = actingInstant(anchor, b.lagDays, rng, w, c.createdAt);
      const outcomes = str(c, 'subjectClass') === 'mobile' ? rates.healthChecks.mobileOutcomes : rates.healthChecks.outcomes;
      const outcome = rng.pick(outcomes);
      const date = checkDay <= dateOf(at) ? checkDay : dateOf(at);
      return step('health_check_record', at, { action: 'record_outcome', outcome, date }, byOwner());
    }

    case 'certificate_check': {
      const task = str(c, 'task') ?? 'verify';
      const lagTask: LagTask = task === 'verify' ? 'certificate_check' : 'certificate_apply';
      const b = behaviourOf(rates, ownerProfile, lagTask, rng);
      if (b.never) return [];
      const at = actingInstant(c.createdAt, b.lagDays, rng, w);
      const outcome = task === 'verify' ? rng.pick(rates.inflows.certificateOutcomes) : 'valid';
      return step(lagTask, at, { action: 'record_outcome', outcome, date: dateOf(at) }, byOwner());
    }

    case 'change_report': {
      const b = behaviourOf(rates, ownerProfile, 'change_report', rng);
      if (b.never) return [];
      const month = str(c, 'month') ?? dateOf(c.createdAt).slice(0, 7);
      const [y, m] = month.split('-').map(Number) as [number, number];
      const nextMonth = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
      const anchor = businessInstant(addCalendarDays(nextMonth, -3), '09:00');
      const at = actingInstant(anchor > c.createdAt ? anchor : c.createdAt, b.lagDays, rng, w, c.createdAt);
      return step('change_report', at, { action: 'record_outcome', outcome: 'filed', date: dateOf(at) }, byOwner());
    }

    case 'unit_notice': {
      // The unit sends its notice (its own profile); the community acknowledges receipt within a couple of days.
      const community = str(c, 'toCommunityId');
      if (!community) return [];
      const b = behaviourOf(rates, ownerProfile, 'unit_notice', rng);
      if (b.never) return [];
      const periodEnd = str(c, 'periodEnd') ?? dateOf(c.createdAt);
      const anchor = businessInstant(periodEnd, '09:00');
      const at = actingInstant(anchor > c.createdAt ? anchor : c.createdAt, b.lagDays + rng.int(0, 2), rng, w, c.createdAt);
      return step('unit_notice', at, { action: 'acknowledge' }, { actor: staffOf(world, community, 'community_officer', rng), orgUnitId: community });
    }

    case 'application': {
      if (c.state === 'awaiting_opinion') {
        // The community that received it gives its opinion (the case forwards itself to the street).
        const b = behaviourOf(rates, ownerProfile, 'application_opinion', rng);
        if (b.never) return [];
        const at = actingInstant(c.createdAt, b.lagDays, rng, w);
        return step('application_opinion', at, { action: 'record_outcome', outcome: rng.pick(rates.applications.opinions), date: dateOf(at) }, byOwner());
      }
      if (c.state === 'awaiting_decision') {
        // Whoever holds it decides: the street, or the district once a late decision has gone up.
        const street = world.territory.streetOf(owner)!;
        const b = behaviourOf(rates, world.profiles.of(street), 'application_decision', rng);
        if (b.never) return [];
        const at = actingInstant(c.updatedAt, b.lagDays, rng, w);
        return step('application_decision', at, { action: 'record_outcome', outcome: rng.pick(rates.applications.decisions), date: dateOf(at) }, 'router');
      }
      return [];
    }
  }
}

/**
 * Whether a change to a case calls for a new plan: the handover changed hands or went to the street for re-routing;
 * the application's opinion was given (the street's decision is next).
 */
export function needsReplan(before: Case, after: Case): boolean {
  if (after.status !== 'open') return false;
  if (after.type === 'application') return before.state === 'awaiting_opinion' && after.state === 'awaiting_decision';
  if (after.type !== 'handover') return false;
  return before.ownerOrgUnitId !== after.ownerOrgUnitId || (before.state !== 'rerouting' && after.state === 'rerouting');
}

/** The street holding a case that waits for re-routing, or the district once it is there. */
export function routerOf(world: World, c: Case): { actor: Actor; orgUnitId: string } {
  if (c.level === 'district') return { actor: staffOf(world, c.queueOrgUnitId, 'district_manager'), orgUnitId: c.queueOrgUnitId };
  const street = c.level === 'street' ? c.queueOrgUnitId : world.territory.streetOf(c.ownerOrgUnitId)!;
  return { actor: staffOf(world, street, 'street_officer'), orgUnitId: street };
}

/** Days from `a` to `b` (business dates), for reports. */
export const dayGap = (a: Instant, b: Instant) => daysBetween(businessDateOf(a), businessDateOf(b));
