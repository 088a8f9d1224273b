// The pure parts of the simulation: the rates file, the staff profiles, the event stream and the case plans, the
// cost model and the charts. No DynamoDB.
import { describe, expect, it } from 'vitest';
import { districtContext } from '../../functions/app/district-context';
import type { Case } from '../../functions/domain/case';
import { loadDistrictConfig } from '../../infra/district-config-files';
import { generateSubjects } from '../../dev/seed/generate-subjects';
import { barChart, lineChart, niceTicks } from '../../dev/sim/charts';
import { costOf, type CostInputs } from '../../dev/sim/cost';
import { itemSize, WriteModel } from '../../dev/sim/capacity';
import { exogenousEvents, exogenousKinds, planCase, reservedSubjects, type World } from '../../dev/sim/events';
import { businessDateOf } from '../../functions/domain/time';
import { loadPrices } from '../../dev/sim/prices';
import { assignProfiles } from '../../dev/sim/profiles';
import { loadRates, parseRates, RatesError } from '../../dev/sim/rates';
import { readFileSync } from 'node:fs';

const rates = loadRates();
const yiling = loadDistrictConfig('seeds/districts/yiling.json');

function world(seed: number, days = 365, config = yiling): World {
  const d = districtContext(config);
  return { config, territory: d.territory, calendar: d.calendar, rates, profiles: assignProfiles(config, rates, seed), seed, start: '2026-01-01', days, subjects: generateSubjects(config) };
}

describe('rates file', () => {
  it('parses, and refuses shares that do not add up with the path of the bad value', () => {
    expect(rates.version).toBe(1);
    const raw = JSON.parse(readFileSync('seeds/simulation/rates.json', 'utf8'));
    raw.healthChecks.outcomes.absent = 0.5;
    expect(() => parseRates(raw, 'rates.json')).toThrow(RatesError);
    expect(() => parseRates(raw, 'rates.json')).toThrow(/rates.json: healthChecks.outcomes: shares must add up to 1/);
  });
});

describe('staff profiles', () => {
  it('apportion the shares exactly and depend on the seed only', () => {
    const chuanhui = loadDistrictConfig('seeds/districts/chuanhui.json');
    const a = assignProfiles(chuanhui, rates, 1).all();
    const communities = a.filter((p) => p.kind === 'community');
    expect(communities).toHaveLength(24);
    const count = (p: string) => communities.filter((c) => c.profile === p).length;
    expect([count('prompt'), count('slow'), count('late'), count('never_shares')]).toEqual([11, 7, 4, 2]);
    expect(assignProfiles(chuanhui, rates, 1).all()).toEqual(a);
    expect(assignProfiles(chuanhui, rates, 2).all()).not.toEqual(a);
  });
});

describe('event stream', () => {
  it('is the same for a seed, in time order, inside the period, each subject in at most one handover', () => {
    const w = world(3);
    const { steps, summary } = exogenousEvents(w);
    expect(exogenousEvents(world(3)).steps).toEqual(steps);
    expect(exogenousEvents(world(4)).steps).not.toEqual(steps);
    for (let i = 1; i < steps.length; i++) expect(steps[i - 1]!.at <= steps[i]!.at).toBe(true);
    expect(steps[0]!.at >= '2025-12-31T16:00:00.000Z').toBe(true);
    expect(steps.at(-1)!.at < '2026-12-31T16:00:00.000Z').toBe(true);
    const handoverSubjects = steps.filter((s) => s.input.type === 'handover').map((s) => s.input.subjectId);
    expect(new Set(handoverSubjects).size).toBe(handoverSubjects.length);
    const reserved = reservedSubjects(w).all;
    for (const id of handoverSubjects) expect(reserved.has(String(id))).toBe(true);
    // The summary counts what the stream holds.
    for (const k of exogenousKinds) expect(steps.filter((s) => s.origin === k)).toHaveLength(summary.opened[k]);
    // Applications: received on working days at the subject's community, for a code of the district's list.
    const codes = new Set(w.config.applications.map((a) => a.code));
    const apps = steps.filter((s) => s.origin === 'application');
    expect(summary.happened.application).toBeGreaterThan(15); // 480 × 0.07 a year ≈ 34
    expect(summary.happened.application).toBeLessThan(60);
    for (const a of apps) {
      expect(codes.has(String(a.input.code))).toBe(true);
      expect(a.input.receivedOn).toBe(businessDateOf(a.at));
      expect(w.calendar.isWorkingDay(String(a.input.receivedOn))).toBe(true);
      expect(a.actor).toEqual({ kind: 'staff', staffId: expect.stringMatching(/.+/) });
    }
    // A year of Yiling's 480 subjects: rates × register, within Poisson noise.
    expect(summary.happened.separation).toBeGreaterThan(3);
    expect(summary.happened.separation).toBeLessThan(25);
    expect(summary.happened.inflow).toBeGreaterThan(15);
    expect(summary.happened.inflow).toBeLessThan(50);
  });

  it('plans a staff step no earlier than the case exists, by someone allowed to take it, the same every time', () => {
    const w = world(5);
    const base = {
      status: 'open',
      level: 'community',
      ownerStreetId: 'yaqueling',
      provisional: false,
      version: 1,
      createdAt: '2026-03-02T02:00:00.000Z',
      updatedAt: '2026-03-02T02:00:00.000Z',
    } as const;
    const cases: Case[] = [
      { ...base, caseId: 'hc-1', type: 'health_check', state: 'awaiting_outcome', subjectId: 's-000001', ownerOrgUnitId: 'xinjie', queueOrgUnitId: 'xinjie', dueDate: '2026-06-30', dueAt: '2026-06-30T15:59:59.999Z', data: { subjectClass: 'primary', communityId: 'xinjie', checkDay: '2026-03-12', periodStart: '2026-01-01', periodEnd: '2026-06-30' } },
      { ...base, caseId: 'ho-1', type: 'handover', state: 'awaiting_ack', subjectId: 's-000002', ownerOrgUnitId: 'baihe', queueOrgUnitId: 'baihe', dueDate: '2026-03-31', dueAt: '2026-03-31T15:59:59.999Z', data: { reason: 'resigned', rejections: 0, fromOrgUnitId: 'yql-food', fromKind: 'unit' } },
      { ...base, caseId: 'ap-1', type: 'application', state: 'awaiting_opinion', subjectId: 's-000003', ownerOrgUnitId: 'xinjie', queueOrgUnitId: 'xinjie', dueDate: '2026-03-05', dueAt: '2026-03-05T15:59:59.999Z', data: { code: 'birth_service_registration', receivedOn: '2026-03-02' } },
      { ...base, caseId: 'ap-2', type: 'application', state: 'awaiting_decision', level: 'street', subjectId: 's-000004', ownerOrgUnitId: 'xinjie', queueOrgUnitId: 'yaqueling', dueDate: '2026-03-09', dueAt: '2026-03-09T15:59:59.999Z', data: { code: 'one_child_certificate', receivedOn: '2026-03-02' } },
      { ...base, caseId: 'cr-1', type: 'change_report', state: 'awaiting_filing', ownerOrgUnitId: 'xinjie', queueOrgUnitId: 'xinjie', dueDate: '2026-04-02', dueAt: '2026-04-02T15:59:59.999Z', data: { month: '2026-03' } },
    ];
    for (const c of cases) {
      const plan = planCase(w, c);
      expect(planCase(w, c)).toEqual(plan);
      for (const s of plan) {
        expect(s.at >= c.createdAt).toBe(true);
        expect(s.owner).toBe(c.ownerOrgUnitId);
        if (s.by !== 'router') expect(s.by.orgUnitId).toBe(c.type === 'unit_notice' ? c.data.toCommunityId : c.ownerOrgUnitId);
      }
    }
    // An application: the receiving community's opinion first, then the decision of whoever holds it (the street).
    const [opinion] = planCase(w, cases.find((c) => c.caseId === 'ap-1')!);
    expect(opinion).toMatchObject({ task: 'application_opinion', command: { action: 'record_outcome', outcome: expect.stringMatching(/^(supported|not_supported)$/) }, by: { orgUnitId: 'xinjie' } });
    const [decision] = planCase(w, cases.find((c) => c.caseId === 'ap-2')!);
    expect(decision).toMatchObject({ task: 'application_decision', command: { action: 'record_outcome', outcome: expect.stringMatching(/^(approved|refused)$/) }, by: 'router' });
    const hc = planCase(w, cases[0]!)[0];
    if (hc) expect(hc.at >= '2026-03-12T01:00:00.000Z').toBe(true); // on or after the check day
  });
});

describe('cost model', () => {
  it('prices the naive design as 2 transitions per execution and 3 per day polled', () => {
    const prices = loadPrices();
    const inputs: CostInputs = {
      days: 365,
      transitions: 1000,
      localSweeps: 100,
      functions: { api: { invocations: 20, requests: 60, transactions: 20 } },
      dynamodb: { readUnits: 100, writeUnits: 500, storageBytes: 1024 ** 3 },
      messages: { sms: 10, email: 2 },
      jobRuns: 18,
      naive: { executions: 10, pollDays: 300, staffActions: 10, messages: { sms: 40, email: 8 }, writeUnits: 300, readUnits: 250 },
    };
    const c = costOf(inputs, prices);
    const sfn = (side: typeof c.ours) => side.lines.find((l) => l.service === 'Step Functions')!;
    expect(sfn(c.naive).quantity).toBe(10 * 2 + 300 * 3);
    // Ours: the run's transitions + 4 per idle sweep (one every 15 minutes on AWS, less the local ones).
    expect(sfn(c.ours).quantity).toBe(1000 + (365 * 96 - 100) * 4);
    expect(c.ours.totalUsd).toBeCloseTo(c.ours.lines.reduce((s, l) => s + l.usd, 0), 10);
    const sms = c.ours.lines.find((l) => l.service === 'SMS')!;
    expect(sms.usd).toBeCloseTo((10 * 0.045) / prices.cnyPerUsd, 10);
  });
});

describe('write units as DynamoDB bills them', () => {
  it('prices each item of a transaction twice, with its index entries, and a moved index entry as a delete and a put', () => {
    const w = new WriteModel();
    const small = (pk: string, gsi: Record<string, string> = {}) => ({ PK: pk, SK: 'X', ...gsi });
    // Three new items, one of them in two indexes: 2 × (1 + 1 + (1 + 2)).
    expect(w.transaction([{ Put: { Item: small('a') } }, { Put: { Item: small('b') } }, { Put: { Item: small('c', { GSI1PK: 'q', GSI1SK: '1', GSI2PK: 'o', GSI2SK: '1' }) } }]).units).toBe(10);
    // Replacing c: GSI1 key moves (delete + put), GSI2 unchanged (rewrite), GSI3 added: 2 × (1 + 2 + 1 + 1).
    expect(w.transaction([{ Put: { Item: small('c', { GSI1PK: 'q2', GSI1SK: '1', GSI2PK: 'o', GSI2SK: '1', GSI3PK: 's', GSI3SK: '1' }) } }]).units).toBe(10);
    // Deleting c: the table and its three index entries, twice.
    expect(w.transaction([{ Delete: { Key: { PK: 'c', SK: 'X' } } }]).units).toBe(8);
    // A 2.5 KB item: 3 units a copy.
    expect(w.transaction([{ Put: { Item: { ...small('d'), pad: 'x'.repeat(2500) } } }]).units).toBe(6);
    expect(itemSize({ PK: 'ab', n: 12345 })).toBe(2 + 2 + 1 + 3 + 1);
  });
});

describe('charts', () => {
  it('are labelled SVG: title, axis label, legend, one bar per value', () => {
    expect(niceTicks(87)).toEqual([0, 20, 40, 60, 80, 100]);
    const svg = barChart({ title: 'Cases', yLabel: 'cases per month', categories: ['2026-01', '2026-02'], series: [{ name: 'handover', values: [3, 4] }, { name: 'follow-up', values: [1, 0] }], mode: 'stacked' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>Cases</text>');
    expect(svg).toContain('cases per month');
    expect(svg).toContain('>handover</text>');
    expect(svg.match(/<rect x=/g)).toHaveLength(3 + 2); // 3 bars with a value + 2 legend swatches
    const line = lineChart({ title: 'Overdue', yLabel: 'open', dates: ['2026-01-01', '2026-01-02', '2026-02-01'], series: [{ name: 'east', values: [0, 1, 2] }] });
    expect(line).toContain('<polyline');
    expect(line).toContain('>2026-02</text>');
  });
});
