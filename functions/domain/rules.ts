// The routing rules: every deadline, reminder and cadence the case machines use, as one typed object.
//
// The defaults are the product spec (read from the source document). A district config's `rules` may override any
// value, at any depth: `{ handover: { due: { days: 20 } } }` changes only that number; every other value keeps its
// default. Arrays (reminder offsets) are replaced as a whole. An override that is not a valid rule is refused with the
// path of the bad value; nothing is silently ignored (unknown keys are errors too).
import * as z from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM');
const dayCount = z.number().int().min(1).max(366);
const calendarUnit = z.enum(['calendar', 'working']);

/** A deadline counted from a start date (start not counted), in calendar days or in official working days. */
function deadlineRule(days: number, unit: 'calendar' | 'working') {
  return z.strictObject({ days: dayCount.default(days), unit: calendarUnit.default(unit) }).prefault({});
}

/** Reminder offsets in days before the due date (0 = on the due day). */
function reminders(defaults: number[]) {
  return z
    .array(z.number().int().min(0).max(60))
    .max(6)
    .refine((a) => new Set(a).size === a.length, 'reminder offsets must be distinct')
    .default(defaults);
}

/** Days after the due date before an overdue case (already at the street) is escalated to the district; null = never. */
function districtAfter(days: number | null) {
  return z.number().int().min(1).max(366).nullable().default(days);
}

/** The retention period when a district config says nothing: the source keeps these files at least 2 years. */
export const DEFAULT_RETENTION_YEARS = 2;
export const retentionRule = z
  .strictObject({
    years: z
      .number()
      .int()
      .min(DEFAULT_RETENTION_YEARS, `the source keeps these files at least ${DEFAULT_RETENTION_YEARS} years`)
      .max(30)
      .default(DEFAULT_RETENTION_YEARS),
  })
  .prefault({});

const perYear = z
  .number()
  .int()
  .refine((n) => [1, 2, 3, 4, 6, 12].includes(n), 'checks per year must divide the year into whole months (1, 2, 3, 4, 6 or 12)');

export const routingRules = z
  .strictObject({
    /** Local time (Asia/Shanghai) at which a reminder falls due on its day; the digest applies quiet hours after that. */
    reminderTime: hhmm.default('09:00'),

    /** 手续移交: from an employer unit (separation) or a community (move) to the receiving community. */
    handover: z
      .strictObject({
        /** Due this long after the separation or move date. */
        due: deadlineRule(30, 'calendar'),
        remindDaysBefore: reminders([7, 0]),
        /**
         * A handover reported after its due date (the sender was late): the receiving community's window, counted from
         * the day of the report, before the case goes overdue. Product-chosen; the source sets only the 30 days.
         */
        lateReportWindow: deadlineRule(5, 'working'),
        /** After the receiving community rejects it, the street re-routes it within this. */
        reroute: deadlineRule(3, 'working'),
        /** Overdue (escalated to the street) and still open this many days later: escalated to the district. */
        escalateToDistrictAfterDays: districtAfter(7),
      })
      .prefault({}),

    /** 随访: a visit window opening at the event date. */
    follow_up: z
      .strictObject({
        window: deadlineRule(14, 'calendar'),
        /** A not_reachable outcome opens a retry case whose window opens this many days after the attempt. */
        retryAfterDays: z.number().int().min(1).max(90).default(7),
        /** How many retry cases a chain of not_reachable outcomes may open. */
        maxRetries: z.number().int().min(0).max(5).default(1),
        remindDaysBefore: reminders([0]),
        escalateToDistrictAfterDays: districtAfter(null),
      })
      .prefault({}),

    /** 查环查孕: one case per subject per period; the year is divided into `perYear` equal periods. */
    health_check: z
      .strictObject({
        perYear: z
          .strictObject({
            mobile: perYear.default(3),
            primary: perYear.default(2),
            /** The source sets no cadence for the employed; twice a year matches the unit's half-yearly notice. */
            co_managed: perYear.default(2),
            /** An implant in effect: once a year, whatever the class. */
            implant: perYear.default(1),
          })
          .prefault({}),
        /** Reminder offsets before the community's fixed check day in the period. */
        remindBeforeCheckDayDays: reminders([1]),
        remindDaysBefore: reminders([0]),
        escalateToDistrictAfterDays: districtAfter(null),
      })
      .prefault({}),

    /** 婚育证明查验: verify on registration; help apply when missing; renew when expired. */
    certificate_check: z
      .strictObject({
        verify: deadlineRule(15, 'calendar'),
        apply: deadlineRule(30, 'calendar'),
        renew: deadlineRule(30, 'calendar'),
        remindDaysBefore: reminders([0]),
        escalateToDistrictAfterDays: districtAfter(null),
      })
      .prefault({}),

    /** 信息通报单: a unit's half-yearly notice to the residence community, due after each half-year ends. */
    unit_notice: z
      .strictObject({
        due: deadlineRule(15, 'calendar'),
        remindDaysBefore: reminders([0]),
        escalateToDistrictAfterDays: districtAfter(null),
      })
      .prefault({}),

    /** 月变更报告单: a community's monthly change report to its street, due on this day of the next month. */
    change_report: z
      .strictObject({
        dueDayOfNextMonth: z.number().int().min(1).max(28).default(2),
        remindDaysBefore: reminders([0]),
        escalateToDistrictAfterDays: districtAfter(null),
      })
      .prefault({}),

    /** Files of subjects who moved away or aged out: their personal fields are erased this long after they left. */
    retention: retentionRule,

    /** 申请: an application at a community: its opinion, forwarded to the street, which decides. */
    application: z
      .strictObject({
        /** The community's opinion, counted from the day it received the application. */
        opinion: deadlineRule(3, 'working'),
        /** The street's decision, counted from the day the opinion reached it. */
        decision: deadlineRule(5, 'working'),
        remindDaysBefore: reminders([0]),
        /** Late opinions go to the street and late decisions to the district at once; this adds nothing by default. */
        escalateToDistrictAfterDays: districtAfter(null),
      })
      .prefault({}),
  })
  .prefault({});

export type RoutingRules = z.output<typeof routingRules>;
export type RoutingRulesInput = z.input<typeof routingRules>;

/** The rules with no override. */
export const defaultRules: RoutingRules = Object.freeze(routingRules.parse({})) as RoutingRules;

export interface RuleIssue {
  path: string;
  message: string;
}

export class RulesError extends Error {
  readonly issues: RuleIssue[];
  constructor(issues: RuleIssue[]) {
    super(`invalid routing rule override: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'RulesError';
    this.issues = issues;
  }
}

/**
 * The defaults with a district's overrides merged in, at any depth. `undefined` means no override.
 * Throws a RulesError naming the path of every bad value (e.g. `rules.handover.due.days`).
 */
export function resolveRules(overrides: unknown): RoutingRules {
  const result = routingRules.safeParse(overrides === undefined ? {} : overrides);
  if (result.success) return result.data;
  const issues: RuleIssue[] = [];
  for (const issue of result.error.issues) {
    const base = ['rules', ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: [...base, key].join('.'), message: 'unknown rule' });
    } else {
      issues.push({ path: base.join('.'), message: issue.message });
    }
  }
  throw new RulesError(issues);
}

/**
 * Where each deadline comes from: the source document (its line in source-document.zh.txt and the words that set
 * it) or a product choice where the source sets none. test/domain/rules.test.ts checks every rule is listed and every
 * quote is on its line; docs/district-config.md and the README's case table say the same.
 */
export type Provenance = { by: 'source'; line: number; quote: string; note?: string } | { by: 'product'; note: string };
export const ruleProvenance: Readonly<Record<string, Provenance>> = {
  reminderTime: { by: 'product', note: 'reminders fall due at 09:00 local time' },
  'handover.due': { by: 'source', line: 32, quote: '由单位在30日内向社区居委会移交计生管理服务手续' },
  'handover.remindDaysBefore': { by: 'product', note: 'reminders 7 days before and on the due day' },
  'handover.lateReportWindow': { by: 'product', note: 'the receiving community’s window when the sender reported late' },
  'handover.reroute': { by: 'product', note: 'the street re-routes a rejected handover in 3 working days' },
  'handover.escalateToDistrictAfterDays': { by: 'product', note: 'an overdue handover goes to the district 7 days later' },
  'follow_up.window': { by: 'product', note: 'the source asks for follow-up visits (line 221) without a time limit' },
  'follow_up.retryAfterDays': { by: 'product', note: 'one retry a week after a failed visit' },
  'follow_up.maxRetries': { by: 'product', note: 'one retry' },
  'follow_up.remindDaysBefore': { by: 'product', note: 'a reminder on the due day' },
  'follow_up.escalateToDistrictAfterDays': { by: 'product', note: 'no district escalation' },
  'health_check.perYear.mobile': { by: 'source', line: 184, quote: '流动人口应查对象每年查环查孕不少于3次' },
  'health_check.perYear.primary': { by: 'source', line: 184, quote: '原则上不少于每年2次' },
  'health_check.perYear.co_managed': { by: 'product', note: 'the source sets no cadence for the employed; twice a year matches the half-yearly notice' },
  'health_check.perYear.implant': { by: 'source', line: 184, quote: '采用皮下埋植术者在药物有效期内每年检查一次' },
  'health_check.remindBeforeCheckDayDays': { by: 'product', note: 'a reminder the day before the fixed check day, in the digest of that day (of the last working day before it when it is a rest day) (fixed days: source line 185)' },
  'health_check.remindDaysBefore': { by: 'product', note: 'a reminder on the last day of the period' },
  'health_check.escalateToDistrictAfterDays': { by: 'product', note: 'no district escalation' },
  'certificate_check.verify': { by: 'product', note: '15 days to verify a certificate' },
  'certificate_check.apply': { by: 'product', note: '30 days to help apply' },
  'certificate_check.renew': { by: 'product', note: '30 days to renew' },
  'certificate_check.remindDaysBefore': { by: 'product', note: 'a reminder on the due day' },
  'certificate_check.escalateToDistrictAfterDays': { by: 'product', note: 'no district escalation' },
  'unit_notice.due': { by: 'product', note: '15 days after the half-year (the half-yearly notice itself: source line 32, 单位每半年…出具…信息通报单)' },
  'unit_notice.remindDaysBefore': { by: 'product', note: 'a reminder on the due day' },
  'unit_notice.escalateToDistrictAfterDays': { by: 'product', note: 'no district escalation' },
  'change_report.dueDayOfNextMonth': { by: 'source', line: 199, quote: '并在次月2日前上报街道人口计生办' },
  'change_report.remindDaysBefore': { by: 'product', note: 'a reminder on the due day' },
  'change_report.escalateToDistrictAfterDays': { by: 'product', note: 'no district escalation' },
  'retention.years': { by: 'source', line: 202, quote: '已退出育龄期和迁出的育龄妇女信息资料应保管两年以上' },
  'application.opinion': { by: 'source', line: 165, quote: '3个工作日内,加具婚育状况意见' },
  'application.decision': {
    by: 'source',
    line: 165,
    quote: '在5个工作日内送街道人口计生办审批',
    note: 'the source’s 5 working days bring the application to the street; the product gives the street’s decision the same 5',
  },
  'application.remindDaysBefore': { by: 'product', note: 'a reminder on the due day of each step' },
  'application.escalateToDistrictAfterDays': { by: 'product', note: 'a late opinion goes to the street and a late decision to the district at once' },
};
