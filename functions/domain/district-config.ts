// The district config: a district is data, not code. One JSON file per district in seeds/districts/.
import * as z from 'zod';
import type { Staff } from './people';
import { deliveryConfig } from './delivery-config';
import { exchangeConfig } from './exchange';
import { routingRules } from './rules';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an id is lowercase letters, digits and dashes');
const isoDate = z.iso.date();
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** A check day recurs every year, so it must exist in every year (no 02-29, 04-31 …). */
const monthDay = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a check day is MM-DD')
  .refine((d) => Number(d.slice(3)) <= (DAYS_IN_MONTH[Number(d.slice(0, 2)) - 1] ?? 0), 'a check day must exist in every year');
const localizedName = z.strictObject({ zh: z.string().min(1).max(80), en: z.string().min(1).max(80) });
/** E.164, e.g. +8613900000000. */
export const e164Phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone is in E.164 form, e.g. +8613800000000');
const email = z.email();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM');

export const streetKinds = ['street', 'town'] as const;
export const streetCharacters = ['urban', 'rural', 'mixed'] as const;
export const staffRoles = ['district_manager', 'street_manager', 'street_officer', 'community_officer', 'unit_liaison'] as const;
export const channels = ['sms', 'email', 'both', 'none'] as const;
export const languages = ['zh-CN', 'en'] as const;
/** Which days a staff member's daily digest goes out: working days (the default) or every day. */
export const digestDaysOptions = ['working', 'every_day'] as const;
export type DigestDays = (typeof digestDaysOptions)[number];

export const communityConfig = z.strictObject({
  id,
  name: localizedName,
  /** Fixed, published check days (MM-DD) on which health checks take place every year. */
  checkDays: z
    .array(monthDay)
    .min(1)
    .max(24)
    .refine((days) => new Set(days).size === days.length, 'a check day is listed twice'),
  /** Relative share of the register living here; the generator spreads subjects by it. */
  weight: z.number().positive().max(100).default(1),
});

export const streetConfig = z.strictObject({
  id,
  name: localizedName,
  kind: z.enum(streetKinds).default('street'),
  character: z.enum(streetCharacters),
  communities: z.array(communityConfig).min(1),
});

export const unitConfig = z.strictObject({
  id,
  name: localizedName,
  /** The street office where the unit sits; since the reform it manages the unit. */
  streetId: id,
  /** Relative share of co_managed subjects employed here. */
  weight: z.number().positive().max(100).default(1),
});

export const staffConfig = z.strictObject({
  id,
  name: z.string().min(1).max(40),
  role: z.enum(staffRoles),
  orgUnitId: id,
  phone: e164Phone,
  email,
  channel: z.enum(channels).default('sms'),
  language: z.enum(languages).default('zh-CN'),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).default({ start: '21:00', end: '08:00' }),
  digestDays: z.enum(digestDaysOptions).default('working'),
});

/** An official holiday schedule for a year that the holiday package does not know yet. */
export const officialYear = z.strictObject({
  /** Days off, including the weekdays of a break. */
  holidays: z.array(isoDate),
  /** Weekend days that are adjusted working days (调休上班). */
  workdays: z.array(isoDate),
  /** Where the schedule was published, e.g. the State Council notice. */
  source: z.string().min(1),
});

export const registerConfig = z.strictObject({
  primary: z.number().int().nonnegative(),
  co_managed: z.number().int().nonnegative(),
  mobile: z.number().int().nonnegative(),
  /** Share of primary and mobile subjects with an implant in effect (checked once a year). */
  implantShare: z.number().min(0).max(1).default(0.04),
  /** Seed of the synthetic-subject generator: the same seed gives the same register. */
  seed: z.number().int().default(1),
});

/** A district without its staff roster: the territory, register settings, calendar and rules. */
const districtFields = z.strictObject({
  id,
  name: localizedName,
  /** Business dates are in this zone; only Asia/Shanghai is supported. */
  timeZone: z.literal('Asia/Shanghai').default('Asia/Shanghai'),
  streets: z.array(streetConfig).min(1),
  units: z.array(unitConfig),
  register: registerConfig,
  calendar: z.strictObject({ officialYears: z.record(z.string().regex(/^\d{4}$/), officialYear).default({}) }).default({ officialYears: {} }),
  /** What a community may receive an application for: a code each, with its name; never free text about health. */
  applications: z.array(z.strictObject({ code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'an application code is lowercase letters, digits and _'), name: localizedName })).max(50).default([]),
  /** Rule overrides (days, counts); the routing rules fill in defaults. */
  rules: z.record(z.string(), z.unknown()).default({}),
  // --- delivery (reminders) -----------------------------------------------------------------------------------
  /** How SMS and e-mail leave the system: SNS (default), an SMS provider, the district's mail server (delivery-config.ts). */
  delivery: deliveryConfig.default({ sms: { provider: 'sns' }, email: { provider: 'sns' } }),
  // --- end delivery -------------------------------------------------------------------------------------------
  /** The district's division code and its exchange partners (docs/exchange.md); absent: no exchange. */
  exchange: exchangeConfig.optional(),
});

/** Ids unique across the district, units in known streets; returns each org unit's kind. */
function checkTerritory(d: z.infer<typeof districtFields>, ctx: z.RefinementCtx): Map<string, string> {
  const seen = new Map<string, string>();
  const claim = (value: string, path: (string | number)[]) => {
    if (seen.has(value)) ctx.addIssue({ code: 'custom', path, message: `id "${value}" is already used at ${seen.get(value)}` });
    else seen.set(value, path.join('.'));
  };
  claim(d.id, ['id']);
  d.streets.forEach((s, i) => {
    claim(s.id, ['streets', i, 'id']);
    s.communities.forEach((c, j) => claim(c.id, ['streets', i, 'communities', j, 'id']));
  });
  const streetIds = new Set(d.streets.map((s) => s.id));
  d.units.forEach((u, i) => {
    claim(u.id, ['units', i, 'id']);
    if (!streetIds.has(u.streetId)) ctx.addIssue({ code: 'custom', path: ['units', i, 'streetId'], message: `unknown street "${u.streetId}"` });
  });
  const kindOf = new Map<string, string>([[d.id, 'district']]);
  d.streets.forEach((s) => {
    kindOf.set(s.id, 'street');
    s.communities.forEach((c) => kindOf.set(c.id, 'community'));
  });
  d.units.forEach((u) => kindOf.set(u.id, 'unit'));
  if (d.register.co_managed > 0 && d.units.length === 0)
    ctx.addIssue({ code: 'custom', path: ['register', 'co_managed'], message: 'co_managed subjects need at least one unit' });
  const codes = new Map<string, number>();
  d.applications.forEach((a, i) => {
    if (codes.has(a.code)) ctx.addIssue({ code: 'custom', path: ['applications', i, 'code'], message: `application code "${a.code}" is already listed at applications[${codes.get(a.code)}]` });
    else codes.set(a.code, i);
  });
  // The rule overrides, validated here so a mistake names the file and its JSON path like every other.
  const rules = routingRules.safeParse(d.rules);
  if (!rules.success) {
    for (const issue of rules.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) ctx.addIssue({ code: 'custom', path: ['rules', ...issue.path.map(String), ...(key ? [key] : [])], message: key ? 'unknown rule' : issue.message });
    }
  }
  return kindOf;
}

export const districtConfig = districtFields.extend({ staff: z.array(staffConfig).min(1) }).superRefine((d, ctx) => {
  const kindOf = checkTerritory(d, ctx);
  const roleLevel: Record<(typeof staffRoles)[number], string> = {
    district_manager: 'district',
    street_manager: 'street',
    street_officer: 'street',
    community_officer: 'community',
    unit_liaison: 'unit',
  };
  const staffIds = new Set<string>();
  d.staff.forEach((s, i) => {
    if (staffIds.has(s.id)) ctx.addIssue({ code: 'custom', path: ['staff', i, 'id'], message: `staff id "${s.id}" is already used` });
    staffIds.add(s.id);
    const kind = kindOf.get(s.orgUnitId);
    if (!kind) ctx.addIssue({ code: 'custom', path: ['staff', i, 'orgUnitId'], message: `unknown org unit "${s.orgUnitId}"` });
    else if (kind !== roleLevel[s.role])
      ctx.addIssue({ code: 'custom', path: ['staff', i, 'role'], message: `role ${s.role} belongs to a ${roleLevel[s.role]}, but "${s.orgUnitId}" is a ${kind}` });
  });
});

/**
 * The config a deployed function carries (infra/bundling.ts): the district without its staff roster, which
 * is personal data and lives in the table only. Strict: a bundle that still holds `staff` fails at cold start.
 */
export const deployedDistrictConfig = districtFields.superRefine((d, ctx) => void checkTerritory(d, ctx));

export type DistrictConfig = z.infer<typeof districtConfig>;
export type DistrictConfigInput = z.input<typeof districtConfig>;
/** A district without its staff roster (what Lambda bundles carry): a DistrictConfig is one too. */
export type DeployedDistrictConfig = z.infer<typeof deployedDistrictConfig>;

/** The deployed part of a district config: everything but the staff roster. */
export function withoutStaff(config: DistrictConfig): DeployedDistrictConfig {
  const { staff: _staff, ...rest } = config;
  return rest;
}
export type StaffRole = (typeof staffRoles)[number];
export type Channel = (typeof channels)[number];
export type Language = (typeof languages)[number];

/** One refused row of a staff import: the row (1-based), the field and the reason; never the value itself. */
export interface StaffRowIssue {
  row: number;
  field: string;
  reason: string;
}

/**
 * Validates staff rows for an import (the district-config staff schema: E.164 phone, a valid e-mail, channel,
 * language, quiet hours). A row with any issue is refused whole, with each issue; the others are accepted.
 */
export function validateStaffRows(rows: readonly unknown[]): { accepted: Staff[]; rejected: StaffRowIssue[] } {
  const accepted: Staff[] = [];
  const rejected: StaffRowIssue[] = [];
  rows.forEach((raw, i) => {
    const r = staffConfig.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) rejected.push({ row: i + 1, field: issue.path.map(String).join('.') || '(row)', reason: issue.message });
      return;
    }
    const { id, ...rest } = r.data;
    accepted.push({ staffId: id, ...rest });
  });
  return { accepted, rejected };
}
