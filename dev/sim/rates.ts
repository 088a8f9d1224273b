// The simulation's rates file (seeds/simulation/rates.json): its schema and its loader.
//
// One file sets every rate of the synthetic event stream and every staff behaviour profile. Rates are
// per subject (or per subject of a class) per year, so the same file serves Chuanhui, Yiling and the
// test district. What each number means and where it comes from is in seeds/simulation/README.md.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const DEFAULT_RATES_FILE = fileURLToPath(new URL('../../seeds/simulation/rates.json', import.meta.url));

const share = z.number().min(0).max(1);
const perYear = z.number().min(0).max(10);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM');
/** Shares of a categorical outcome: they must add up to 1. */
function shares<K extends string>(keys: readonly [K, ...K[]]) {
  return z
    .strictObject(Object.fromEntries(keys.map((k) => [k, share])) as Record<K, typeof share>)
    .refine((o) => Math.abs(Object.values<number>(o as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-9, 'shares must add up to 1');
}
const monthWeights = z.array(z.number().min(0)).length(12).refine((w) => w.some((x) => x > 0), 'at least one month needs a weight');
/** [median, p90] of a log-normal delay in days. */
const lag = z
  .tuple([z.number().min(0), z.number().min(0)])
  .refine(([median, p90]) => p90 >= median, 'p90 must be at least the median');

export const lagTasks = [
  /** A unit reports a separation: separation date → handover opened. */
  'handover_report',
  /** A community reports a move: move date → handover opened. */
  'move_report',
  /** The receiving community acknowledges (or rejects) a handover: opened → acted. */
  'handover_ack',
  /** The street re-routes a rejected handover or one with no known destination: rejected → reassigned. */
  'handover_reroute',
  /** The community records a follow-up visit: window start → outcome. */
  'follow_up_visit',
  /** The owner records a health check: the community's check day → outcome. */
  'health_check_record',
  /** The community verifies a certificate at registration: opened → outcome. */
  'certificate_check',
  /** A missing or expired certificate is obtained: sub-case opened → valid. */
  'certificate_apply',
  /** The community files its monthly change report: three days before month end → filed. */
  'change_report',
  /** A unit's half-yearly notice reaches the community: half-year end → receipt acknowledged. */
  'unit_notice',
  /** The community gives its opinion on an application and forwards it to the street: received → opinion. */
  'application_opinion',
  /** The street decides an application: opinion forwarded → decision. */
  'application_decision',
] as const;
export type LagTask = (typeof lagTasks)[number];

export const profileNames = ['prompt', 'slow', 'late', 'never_shares'] as const;
export type ProfileName = (typeof profileNames)[number];

const behaviour = z.strictObject({
  /** Probability that an org unit of this profile never acts on a given case. */
  neverShare: share,
  lagDays: z.strictObject(Object.fromEntries(lagTasks.map((t) => [t, lag])) as Record<LagTask, typeof lag>),
});

const profileShares = shares(profileNames);

export const ratesSchema = z.strictObject({
  about: z.string(),
  version: z.literal(1),
  separations: z.strictObject({
    perCoManagedSubjectPerYear: perYear,
    reasons: shares(['resigned', 'dismissed', 'removed']),
    rejectedByCommunityShare: share,
  }),
  moves: z.strictObject({
    perSubjectPerYear: perYear,
    sameStreetShare: share,
    destinationUnknownShare: share,
    rejectedByCommunityShare: share,
  }),
  inflows: z.strictObject({
    perMobileSubjectPerYear: perYear,
    monthWeights,
    certificateOutcomes: shares(['valid', 'missing', 'expired']),
  }),
  followUps: z.strictObject({
    birthsPerSubjectPerYear: perYear,
    servicesPerSubjectPerYear: perYear,
    returnsPerMobileSubjectPerYear: perYear,
    returnMonthWeights: monthWeights,
    reportLagDays: z.strictObject({
      birth: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
      service: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
      return: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
    }),
    outcomes: shares(['visited', 'not_reachable', 'moved_away']),
    movedAwayKnownDestinationShare: share,
  }),
  applications: z.strictObject({
    perSubjectPerYear: perYear,
    /** What is applied for, by code; a district draws among the codes its config lists (uniformly if it lists none of these). */
    codeShares: z.record(z.string(), share).refine((o) => Math.abs(Object.values(o).reduce((a, b) => a + b, 0) - 1) < 1e-9, 'shares must add up to 1'),
    opinions: shares(['supported', 'not_supported']),
    decisions: shares(['approved', 'refused']),
  }),
  healthChecks: z.strictObject({
    outcomes: shares(['attended', 'absent', 'exempt']),
    mobileOutcomes: shares(['attended', 'absent', 'exempt']),
  }),
  workingHours: z.strictObject({ from: hhmm, to: hhmm, slotMinutes: z.number().int().min(1).max(240) }),
  profiles: z.strictObject({
    shares: z.strictObject({ community: profileShares, unit: profileShares, street: profileShares }),
    behaviour: z.strictObject(Object.fromEntries(profileNames.map((p) => [p, behaviour])) as Record<ProfileName, typeof behaviour>),
  }),
  /** Figures of the source document the rates were calibrated against; the report compares. */
  calibration: z.strictObject({
    chuanhuiRegister: z.strictObject({ primary: z.number(), co_managed: z.number(), mobile: z.number() }),
    chuanhuiTransfersInFourMonths: z.number(),
    chuanhuiUnregisteredFoundInFourMonths: z.number(),
    yilingPopulation: z.number(),
    yilingFollowUps: z.number(),
    yilingCheckVisits: z.number(),
    yilingYearsAssumed: z.number().positive(),
    subjectShareOfPopulationAssumed: share,
    mobileCheckParticipation: share,
    checkParticipation: share,
  }),
});

export type Rates = z.infer<typeof ratesSchema>;

export class RatesError extends Error {
  override readonly name = 'RatesError';
}

export function parseRates(json: unknown, file = 'rates'): Rates {
  const r = ratesSchema.safeParse(json);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new RatesError(issues.join('\n'));
}

export function loadRates(file = DEFAULT_RATES_FILE): Rates {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RatesError(`${file}: ${(err as Error).message}`);
  }
  return parseRates(json, file);
}
