// The simulation on the real local stack, short: four weeks of the test district around 1 July (the health-check,
// unit-notice and change-report jobs run; check days fall inside), with the event rates scaled up so that a
// 13-woman register has something to do. The report's counts are checked against the events the generator made,
// and the same seed must give the same report (apart from its wall-clock fields).
import { describe, expect, it } from 'vitest';
import { caseTypes } from '../../functions/domain/case';
import { buildReport, readTable, type SimReport } from '../../dev/sim/report';
import { loadPrices } from '../../dev/sim/prices';
import { loadRates, type Rates } from '../../dev/sim/rates';
import { runSimulation } from '../../dev/sim/runner';
import { endInstantOf } from '../../dev/sim/events';
import { dynamoEndpoint, uniqueTableName } from '../support/dynamodb';
import { tinyDistrict } from '../support/tiny-district';

/** The rates file with every yearly event rate multiplied: a small register, a busy month. */
function busy(rates: Rates, factor: number): Rates {
  return {
    ...rates,
    separations: { ...rates.separations, perCoManagedSubjectPerYear: rates.separations.perCoManagedSubjectPerYear * factor },
    moves: { ...rates.moves, perSubjectPerYear: rates.moves.perSubjectPerYear * factor },
    inflows: { ...rates.inflows, perMobileSubjectPerYear: rates.inflows.perMobileSubjectPerYear * factor },
    followUps: {
      ...rates.followUps,
      birthsPerSubjectPerYear: rates.followUps.birthsPerSubjectPerYear * factor,
      servicesPerSubjectPerYear: rates.followUps.servicesPerSubjectPerYear * factor,
      returnsPerMobileSubjectPerYear: rates.followUps.returnsPerMobileSubjectPerYear * factor,
    },
    // Four times more again: a handful in four weeks, some far enough along for the street's decision.
    applications: { ...rates.applications, perSubjectPerYear: rates.applications.perSubjectPerYear * factor * 4 },
  };
}

const rates = busy(loadRates(), 25);
const prices = loadPrices();

async function simulate(seed: number): Promise<SimReport> {
  const endpoint = dynamoEndpoint();
  const sim = await runSimulation({ endpoint, config: tinyDistrict, rates, seed, start: '2026-06-20', days: 28, tableName: uniqueTableName('sim-tiny') });
  const table = await readTable(endpoint, sim.tableName, endInstantOf(sim.world));
  return buildReport({ sim, table, prices, ratesFile: 'rates.json ×25' });
}

const withoutWall = (r: SimReport) => {
  const { wall: _wall, ...rest } = r;
  return rest;
};

describe('simulation', () => {
  it('four weeks of the test district: the report agrees with the events it was fed, and the same seed gives the same report', async () => {
    const report = await simulate(25);

    // Something happened: every kind of event, the jobs, staff steps, reminders.
    const ex = report.events.exogenous;
    expect(ex.opened.separation + ex.opened.move).toBeGreaterThan(0);
    expect(ex.opened.inflow).toBeGreaterThan(0);
    expect(ex.opened.birth + ex.opened.service + ex.opened.return).toBeGreaterThan(0);
    // Applications: received at the communities, both steps taken (the community's opinion, the street's decision).
    expect(ex.opened.application).toBeGreaterThan(0);
    expect(report.cases.byType.application.opened).toBe(ex.opened.application);
    const outcomes = report.events.steps.outcomes;
    expect((outcomes['application.supported'] ?? 0) + (outcomes['application.not_supported'] ?? 0)).toBeGreaterThan(0);
    expect((outcomes['application.approved'] ?? 0) + (outcomes['application.refused'] ?? 0)).toBeGreaterThan(0);
    expect(report.cases.byType.health_check.opened).toBeGreaterThan(0);
    expect(report.cases.byType.unit_notice.opened).toBeGreaterThan(0);
    expect(report.cases.byType.change_report.opened).toBe(3); // 3 communities, July
    expect(Object.values(report.events.steps.acted).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    expect(report.reminders.messages.sms + report.reminders.messages.email).toBeGreaterThan(0);

    // Every check of the report against the events holds, by name.
    for (const c of report.checks) expect({ check: c.name, found: c.actual }).toEqual({ check: c.name, found: c.expected });
    expect(report.checks.length).toBeGreaterThanOrEqual(20);

    // Cases opened by the event stream = the events that reached the product, type by type.
    expect(report.cases.byType.handover.opened).toBeGreaterThanOrEqual(ex.opened.separation + ex.opened.move);
    expect(report.cases.byType.certificate_check.opened).toBeGreaterThanOrEqual(ex.opened.inflow);
    // on time + late + open (+ cancelled) = opened, for every type and in total.
    let total = 0;
    for (const t of caseTypes) {
      const o = report.cases.byType[t];
      expect(o.onTime + o.late + o.openOverdue + o.openNotDue + o.cancelled).toBe(o.opened);
      total += o.opened;
    }
    expect(total).toBe(report.cases.opened);
    // Months add up to the total; streets add up to each type.
    expect(Object.values(report.cases.byMonth).reduce((s, m) => s + Object.values(m).reduce((a, b) => a + b, 0), 0)).toBe(report.cases.opened);
    for (const t of caseTypes) expect(Object.values(report.cases.byStreet).reduce((s, byT) => s + byT[t].opened, 0)).toBe(report.cases.byType[t].opened);
    // Messages: by kind and by month add up to the channel totals.
    const m = report.reminders.messages;
    expect(Object.values(m.byMonth).reduce((s, x) => s + x.sms + x.email, 0)).toBe(m.sms + m.email);
    expect(Object.values(m.byKind).reduce((a, b) => a + b, 0)).toBe(m.sms + m.email);
    // Transitions and units were counted and priced. (For 13 women the sweeper's 96 idle runs a day cost more
    // transitions than polling each case daily would: the fixed cost shows at this size, not at a district's.)
    expect(report.stepFunctions.transitions).toBeGreaterThan(0);
    expect(report.dynamodb.product.writeUnits).toBeGreaterThan(0);
    expect(report.cost.ours.totalUsd).toBeGreaterThan(0);
    const naiveSfn = report.cost.naive.lines.find((l) => l.service === 'Step Functions')!;
    expect(naiveSfn.quantity).toBeGreaterThanOrEqual(2 * report.cases.opened);

    // Same seed, same report (wall-clock fields aside); another seed, another stream.
    const again = await simulate(25);
    expect(withoutWall(again)).toEqual(withoutWall(report));
  }, 180_000);
});
