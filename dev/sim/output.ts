// Writes a simulation report to a folder: report.json (everything; `wall` holds the only run-dependent fields),
// report.md (for people) and charts/*.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseTypes, type CaseType } from '../../functions/domain/case';
import { barChart, fmtInt, fmtPct, fmtUsd, hbarChart, lineChart, palette } from './charts';
import type { SimReport, TypeOutcome } from './report';

export const typeLabel: Record<CaseType, string> = {
  handover: 'handover 手续移交',
  follow_up: 'follow-up 随访',
  health_check: 'health check 查环查孕',
  certificate_check: 'certificate 婚育证明',
  unit_notice: 'unit notice 信息通报单',
  change_report: 'change report 月变更报告',
  application: 'application 申请',
};
const typeColor: Record<CaseType, string> = {
  handover: palette[3]!,
  follow_up: palette[0]!,
  health_check: palette[4]!,
  certificate_check: palette[2]!,
  unit_notice: palette[1]!,
  change_report: palette[5]!,
  application: palette[6] ?? palette[0]!,
};

const n = (x: number) => x.toLocaleString('en');
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const usd = (x: number) => (x >= 100 ? `$${x.toLocaleString('en', { maximumFractionDigits: 0 })}` : `$${x.toFixed(2)}`);
const months = (r: SimReport) => Object.keys(r.cases.byMonth).sort();

export interface Chart {
  file: string;
  title: string;
  svg: string;
}

export function charts(r: SimReport): Chart[] {
  const out: Chart[] = [];
  const name = `${r.meta.districtName.zh} ${r.meta.districtName.en}, ${r.meta.start} – ${r.meta.end}`;
  const ms = months(r);
  const streetName = (id: string) => {
    for (const s of r.meta.streets) if (s.id === id) return `${s.zh} ${s.en}`;
    return id;
  };
  /** Two lines for an axis: the Chinese name, then the English one without "Street Office". */
  const streetLabel = (id: string) => {
    for (const s of r.meta.streets) if (s.id === id) return `${s.zh}\n${s.en.replace(/ (Street Office|Town)$/, '')}`;
    return id;
  };

  out.push({
    file: 'cases-by-month.svg',
    title: 'Cases opened by type and month',
    svg: barChart({
      title: 'Cases opened, by type and month',
      subtitle: `${name} · seed ${r.meta.seed} · ${n(r.cases.opened)} cases`,
      categories: ms,
      series: caseTypes.map((t) => ({ name: typeLabel[t], values: ms.map((m) => r.cases.byMonth[m]?.[t] ?? 0), color: typeColor[t] })),
      mode: 'stacked',
      yLabel: 'cases opened in the month',
      xLabel: 'month (Asia/Shanghai)',
      valueLabels: true,
    }),
  });

  const eventTypes: CaseType[] = ['handover', 'follow_up', 'certificate_check', 'change_report'];
  out.push({
    file: 'cases-by-month-events.svg',
    title: 'Event-driven cases opened by type and month',
    svg: barChart({
      title: 'Cases opened by events, by type and month',
      subtitle: 'handovers (separations, moves), follow-up visits (births, services, returns, missed checks), certificate checks (inflows), change reports; health checks and unit notices, opened in bulk by the jobs, are in the chart above',
      categories: ms,
      series: eventTypes.map((t) => ({ name: typeLabel[t], values: ms.map((m) => r.cases.byMonth[m]?.[t] ?? 0), color: typeColor[t] })),
      mode: 'stacked',
      yLabel: 'cases opened in the month',
      xLabel: 'month (Asia/Shanghai)',
      valueLabels: true,
    }),
  });

  const streets = Object.keys(r.cases.byStreet);
  const shown = caseTypes.filter((t) => streets.some((s) => (r.cases.byStreet[s]?.[t]?.opened ?? 0) > 0));
  out.push({
    file: 'on-time-by-street.svg',
    title: 'On-time rate by type and street',
    svg: barChart({
      title: 'On-time rate, by street and case type',
      subtitle: 'closed by the due date ÷ cases whose due date has come (closed on time, closed late, or still open past it)',
      categories: streets.map(streetLabel),
      labelLines: 2,
      series: shown.map((t) => ({ name: typeLabel[t], values: streets.map((s) => ((r.cases.byStreet[s]?.[t]?.onTimeRate ?? Number.NaN) as number) * 100), color: typeColor[t] })),
      mode: 'grouped',
      yMax: 100,
      yLabel: 'on time (% of cases due)',
      xLabel: 'street office / town (owner of the case)',
      format: fmtPct,
      valueLabels: true,
      width: 1000,
    }),
  });

  out.push({
    file: 'overdue-handovers.svg',
    title: 'Overdue handovers by street over time',
    svg: lineChart({
      title: 'Open handovers past their 30-day deadline, by street',
      subtitle: `counted at the end of each day · peak ${n(r.overdueHandovers.peak.count)} on ${r.overdueHandovers.peak.date}`,
      dates: r.overdueHandovers.dates,
      series: Object.entries(r.overdueHandovers.byStreet).map(([s, values]) => ({ name: streetName(s), values })),
      yLabel: 'overdue handovers (open)',
      xLabel: 'date',
    }),
  });

  const em = Object.keys(r.escalations.byMonth).sort();
  out.push({
    file: 'escalations.svg',
    title: 'Escalations by month',
    svg: barChart({
      title: 'Escalations, by month',
      subtitle: `to the street when a case goes overdue (${n(Object.values(r.escalations.toStreet).reduce((a, b) => a + b, 0))}); to the district when a handover stays open 7 more days or is not re-routed (${n(Object.values(r.escalations.toDistrict).reduce((a, b) => a + b, 0))})`,
      categories: em,
      series: [
        { name: 'to the street (overdue)', values: em.map((m) => r.escalations.byMonth[m]!.toStreet), color: palette[1] },
        { name: 'to the district', values: em.map((m) => r.escalations.byMonth[m]!.toDistrict), color: palette[3] },
      ],
      mode: 'stacked',
      yLabel: 'escalations in the month',
      xLabel: 'month',
      valueLabels: true,
    }),
  });

  const mm = [...new Set([...Object.keys(r.reminders.messages.byMonth), ...Object.keys(r.reminders.naiveByMonth)])].sort();
  out.push({
    file: 'messages.svg',
    title: 'SMS and e-mails sent',
    svg: barChart({
      title: 'SMS and e-mails sent per month: daily digests vs. one message per reminder',
      subtitle: `shudi sent ${n(r.reminders.messages.sms)} SMS and ${n(r.reminders.messages.email)} e-mails; one message per reminder would be ${n(r.reminders.naiveMessages.sms)} SMS and ${n(r.reminders.naiveMessages.email)} e-mails`,
      categories: mm,
      series: [
        { name: 'SMS, shudi (digest + urgent)', values: mm.map((m) => r.reminders.messages.byMonth[m]?.sms ?? 0), color: palette[0] },
        { name: 'SMS, one per reminder', values: mm.map((m) => r.reminders.naiveByMonth[m]?.sms ?? 0), color: '#9ecae1' },
        { name: 'e-mail, shudi', values: mm.map((m) => r.reminders.messages.byMonth[m]?.email ?? 0), color: palette[1] },
        { name: 'e-mail, one per reminder', values: mm.map((m) => r.reminders.naiveByMonth[m]?.email ?? 0), color: '#fdd49e' },
      ],
      mode: 'grouped',
      yLabel: 'messages sent in the month',
      xLabel: 'month',
      width: 1000,
    }),
  });

  const services = [...new Set([...Object.keys(r.cost.ours.byService), ...Object.keys(r.cost.naive.byService)])].sort(
    (a, b) => (r.cost.naive.byService[b] ?? 0) + (r.cost.ours.byService[b] ?? 0) - ((r.cost.naive.byService[a] ?? 0) + (r.cost.ours.byService[a] ?? 0)),
  );
  out.push({
    file: 'cost.svg',
    title: 'AWS cost of the period',
    svg: hbarChart({
      title: `Cost of the period by service: shudi ${fmtUsd(r.cost.ours.totalUsd)} vs. naive ${fmtUsd(r.cost.naive.totalUsd)}`,
      subtitle: `${r.cost.region} list prices recorded ${r.cost.pricesRecordedOn}; SMS at ¥0.045 (a Chinese provider); naive = one Standard execution per case polling daily, one SMS per reminder`,
      categories: services,
      series: [
        { name: 'shudi', values: services.map((s) => r.cost.ours.byService[s] ?? 0), color: palette[0] },
        { name: 'naive design', values: services.map((s) => r.cost.naive.byService[s] ?? 0), color: palette[3] },
      ],
      xLabel: `US dollars for the ${r.meta.days} days`,
      format: fmtUsd,
    }),
  });

  const wf: [string, number][] = Object.entries(r.stepFunctions.byWorkflow).map(([w, t]): [string, number] => [w === 'sweeper' ? 'sweeper (firing timers)' : w, t.transitions]);
  wf.push(['sweeper (idle runs on AWS)', r.stepFunctions.awsIdleSweeps * 4]);
  wf.sort((a, b) => b[1] - a[1]);
  out.push({
    file: 'transitions.svg',
    title: 'Step Functions state transitions by workflow',
    svg: hbarChart({
      title: `Step Functions state transitions: ${n(r.stepFunctions.transitions + r.stepFunctions.awsIdleSweeps * 4)} (${r.stepFunctions.perCase} per case, idle sweeps aside)`,
      subtitle: `the sweeper runs every 15 minutes on AWS: ${n(r.stepFunctions.awsIdleSweeps)} of its runs find nothing due (4 transitions each); the local clock runs it only when a timer is due`,
      categories: wf.map(([w]) => w),
      series: [{ name: 'state transitions', values: wf.map(([, t]) => t), color: palette[2] }],
      xLabel: 'state transitions in the period',
      format: fmtInt,
    }),
  });
  return out;
}

function outcomeRow(label: string, o: TypeOutcome): string {
  return `| ${label} | ${n(o.opened)} | ${n(o.onTime)} | ${n(o.late)} | ${n(o.openOverdue)} | ${n(o.openNotDue)} | ${pct(o.onTimeRate)} |`;
}

export function markdown(r: SimReport, chartList: Chart[]): string {
  const L: string[] = [];
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const allDue = caseTypes.reduce(
    (a, t) => {
      const o = r.cases.byType[t];
      return { on: a.on + o.onTime, due: a.due + o.onTime + o.late + o.openOverdue };
    },
    { on: 0, due: 0 },
  );
  L.push(`# Simulation: ${r.meta.districtName.zh} ${r.meta.districtName.en}, ${r.meta.start} – ${r.meta.end}`);
  L.push('');
  L.push(
    `Seed ${r.meta.seed}, ${r.meta.days} days, rates from \`${r.meta.rates}\`, prices recorded ${r.meta.pricesRecordedOn}. Produced by \`npm run simulate -- --district ${r.meta.district} --days ${r.meta.days} --seed ${r.meta.seed}\` on the real local stack (DynamoDB Local, the ASL workflows on aws-local-stepfunctions, the handlers, the reminder publisher and daily digest into a local sink) on a virtual clock.`,
  );
  L.push('');
  const failed = r.checks.filter((c) => !c.ok);
  L.push('## Headlines');
  L.push('');
  L.push('| | |');
  L.push('|---|---|');
  L.push(`| register | ${n(r.register.atStart.total ?? 0)} subjects at the start, ${n(r.register.atEnd.total ?? 0)} at the end (${n(r.register.inflowsRegistered)} mobile inflows registered) |`);
  L.push(`| cases opened | ${n(r.cases.opened)} (${caseTypes.map((t) => `${n(r.cases.byType[t].opened)} ${t}`).join(', ')}) |`);
  L.push(`| on time, all types | ${pct(allDue.due ? allDue.on / allDue.due : null)} of the ${n(allDue.due)} cases whose due date came |`);
  L.push(`| on time, handovers | ${pct(r.cases.byType.handover.onTimeRate)} (peak ${n(r.overdueHandovers.peak.count)} overdue on ${r.overdueHandovers.peak.date}) |`);
  L.push(`| escalations | ${n(sum(r.escalations.toStreet))} to a street, ${n(sum(r.escalations.toDistrict))} to the district |`);
  L.push(`| SMS / e-mails sent | ${n(r.reminders.messages.sms)} / ${n(r.reminders.messages.email)} (one per reminder would be ${n(r.reminders.naiveMessages.sms)} / ${n(r.reminders.naiveMessages.email)}) |`);
  L.push(`| Step Functions transitions | ${n(r.stepFunctions.transitions)} (${r.stepFunctions.perCase} per case) + ${n(r.stepFunctions.awsIdleSweeps * 4)} for idle sweeps on AWS |`);
  L.push(`| DynamoDB units | ${n(Math.round(r.dynamodb.product.readUnits))} read, ${n(Math.round(r.dynamodb.product.writeUnits))} write (${r.dynamodb.perCase.readUnits} / ${r.dynamodb.perCase.writeUnits} per case) |`);
  L.push(`| AWS cost of the period | **${usd(r.cost.ours.totalUsd)}** (${usd(r.cost.perSubjectYearUsd * 1000)} per 1,000 subjects a year) vs. naive design **${usd(r.cost.naive.totalUsd)}** (× ${r.cost.ratio.toFixed(1)}) |`);
  L.push(`| checks against the events | ${r.checks.length - failed.length} of ${r.checks.length} hold${failed.length ? ` — FAILED: ${failed.map((c) => c.name).join('; ')}` : ''} |`);
  L.push(
    `| wall time | ${r.wall.runSeconds}s for the period (${r.wall.advanceSeconds}s moving the clock: jobs, sweeps, publisher, digest; ${r.wall.stepsSeconds}s staff steps) + ${r.wall.seedSeconds}s seeding + ${r.wall.reportSeconds}s report; ${r.wall.casesPerSecond} cases/s; ${r.wall.cpus} CPUs, load average ${r.wall.loadAverage.join(' / ')} at the end |`,
  );
  L.push('');
  for (const c of chartList) {
    L.push(`![${c.title}](charts/${c.file})`);
    L.push('');
  }
  L.push('## Cases by type');
  L.push('');
  L.push('| type | opened | closed on time | closed late | open, overdue | open, not yet due | on-time rate |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const t of caseTypes) L.push(outcomeRow(typeLabel[t], r.cases.byType[t]));
  L.push('');
  L.push('On-time rate = closed by the due date ÷ (closed on time + closed late + still open past the due date). Cases still open and not yet due at the end are left out.');
  L.push('');
  L.push('## On-time rate by street');
  L.push('');
  L.push(`| street | ${caseTypes.join(' | ')} |`);
  L.push(`|---|${caseTypes.map(() => '---:').join('|')}|`);
  for (const [s, byT] of Object.entries(r.cases.byStreet)) L.push(`| ${s} | ${caseTypes.map((t) => `${pct(byT[t].onTimeRate)} (${n(byT[t].opened)})`).join(' | ')} |`);
  L.push('');
  L.push('## Escalations');
  L.push('');
  L.push('| type | to the street (overdue) | to the district | manual |');
  L.push('|---|---:|---:|---:|');
  for (const t of caseTypes) L.push(`| ${t} | ${n(r.escalations.toStreet[t] ?? 0)} | ${n(r.escalations.toDistrict[t] ?? 0)} | ${n(r.escalations.manual[t] ?? 0)} |`);
  L.push('');
  L.push('## Reminders and messages');
  L.push('');
  L.push(`${n(r.reminders.intents)} reminder and notice intents were written (outbox items). The publisher and the daily digest turned them into ${n(r.reminders.messages.sms)} SMS and ${n(r.reminders.messages.email)} e-mails to ${n(r.reminders.messages.recipients)} staff members; sending each on its own would have been ${n(r.reminders.naiveMessages.sms)} SMS and ${n(r.reminders.naiveMessages.email)} e-mails. SMS per case: ${r.reminders.smsPerCase} with digests vs. ${r.reminders.naiveSmsPerCase} one per reminder (ratio ${r.reminders.smsRatio ?? '–'}).`);
  L.push('');
  L.push('| message kind | channel | sent |');
  L.push('|---|---|---:|');
  for (const [k, v] of Object.entries(r.reminders.messages.byKind).sort(([, a], [, b]) => b - a)) {
    const [kind, ch] = k.split('|');
    L.push(`| ${kind} | ${ch} | ${n(v)} |`);
  }
  L.push('');
  L.push('| recipient role | SMS | e-mail |');
  L.push('|---|---:|---:|');
  for (const [role, v] of Object.entries(r.reminders.messages.byRole).sort()) L.push(`| ${role} | ${n(v.sms)} | ${n(v.email)} |`);
  L.push('');
  L.push('## Step Functions, Lambda and DynamoDB');
  L.push('');
  L.push('| workflow | executions | state transitions |');
  L.push('|---|---:|---:|');
  for (const [w, t] of Object.entries(r.stepFunctions.byWorkflow)) L.push(`| ${w} | ${n(t.executions)} | ${n(t.transitions)} |`);
  L.push(`| idle sweeps on AWS (every 15 min, nothing due) | ${n(r.stepFunctions.awsIdleSweeps)} | ${n(r.stepFunctions.awsIdleSweeps * 4)} |`);
  L.push('');
  L.push('| sender (Lambda) | invocations | DynamoDB requests | read units | write units |');
  L.push('|---|---:|---:|---:|---:|');
  for (const [k, f] of Object.entries(r.lambda)) {
    const u = r.dynamodb.bySender[k];
    L.push(`| ${k} | ${n(f.invocations)} | ${n(f.requests)} | ${n(Math.round(u?.readUnits ?? 0))} | ${n(Math.round(u?.writeUnits ?? 0))} |`);
  }
  L.push(`| **product total** | | ${n(r.dynamodb.product.requests)} | ${n(Math.round(r.dynamodb.product.readUnits))} | ${n(Math.round(r.dynamodb.product.writeUnits))} |`);
  L.push(`| left out: the local clock's look-ups (EventBridge Scheduler on AWS) | | ${n(r.dynamodb.harnessLeftOut.requests)} | ${n(Math.round(r.dynamodb.harnessLeftOut.readUnits))} | ${n(Math.round(r.dynamodb.harnessLeftOut.writeUnits))} |`);
  L.push('');
  L.push(
    `Units are DynamoDB Local's ReturnConsumedCapacity (TOTAL: table and indexes). \`registerSubject\` is the registration of an inflow (a register API's write). At the end the table holds about ${n(r.dynamodb.itemsAtEnd)} live items, ${(r.dynamodb.storageBytes / 1024 ** 2).toFixed(1)} MB with their index copies; ${n(r.dynamodb.timersPendingAtEnd)} timers are pending.`,
  );
  L.push('');
  L.push('## Cost');
  L.push('');
  L.push(`List prices for ${r.cost.region} recorded ${r.cost.pricesRecordedOn} (seeds/simulation/prices.json, with their sources); SMS at a Chinese provider's ¥0.045 at ¥${r.cost.cnyPerUsd}/$. See docs/cost.md for the model.`);
  L.push('');
  L.push('| service | item | shudi quantity | shudi | naive quantity | naive |');
  L.push('|---|---|---:|---:|---:|---:|');
  const naiveLines = new Map(r.cost.naive.lines.map((l) => [`${l.service}|${l.unit}`, l]));
  const seen = new Set<string>();
  for (const l of r.cost.ours.lines) {
    const k = `${l.service}|${l.unit}`;
    seen.add(k);
    const nl = naiveLines.get(k);
    L.push(`| ${l.service} | ${l.item} | ${fmtQ(l.quantity)} ${l.unit} | ${usd(l.usd)} | ${nl ? `${fmtQ(nl.quantity)} ${nl.unit}` : '–'} | ${nl ? usd(nl.usd) : '–'} |`);
  }
  for (const l of r.cost.naive.lines) if (!seen.has(`${l.service}|${l.unit}`)) L.push(`| ${l.service} | ${l.item} | – | – | ${fmtQ(l.quantity)} ${l.unit} | ${usd(l.usd)} |`);
  L.push(`| **total** | | | **${usd(r.cost.ours.totalUsd)}** | | **${usd(r.cost.naive.totalUsd)}** |`);
  L.push('');
  L.push('## Calibration against the source document');
  L.push('');
  L.push('| figure | simulated | from the document | source | note |');
  L.push('|---|---:|---:|---|---|');
  for (const c of r.calibration) L.push(`| ${c.name} | ${c.simulated} | ${c.reference} | ${c.source} | ${c.note} |`);
  L.push('');
  L.push('## Events and staff steps');
  L.push('');
  L.push('| event | happened in the period | case opened | never reported | reported after the end |');
  L.push('|---|---:|---:|---:|---:|');
  for (const k of Object.keys(r.events.exogenous.happened)) {
    const e = r.events.exogenous;
    L.push(`| ${k} | ${n(e.happened[k as keyof typeof e.happened])} | ${n(e.opened[k as keyof typeof e.opened])} | ${n(e.neverReported[k as keyof typeof e.neverReported])} | ${n(e.reportedAfterEnd[k as keyof typeof e.reportedAfterEnd])} |`);
  }
  L.push('');
  L.push('| staff command | run |');
  L.push('|---|---:|');
  for (const [k, v] of Object.entries(r.events.steps.acted).sort()) L.push(`| ${k} | ${n(v)} |`);
  for (const [k, v] of Object.entries(r.events.steps.skipped).sort()) L.push(`| skipped: ${k} | ${n(v)} |`);
  L.push(`| planned for after the end | ${n(r.events.steps.pendingAtEnd)} |`);
  L.push(`| refused by the product | ${n(r.events.steps.failed.length)} |`);
  L.push('');
  L.push('Staff behaviour profiles (seeded): ' + Object.entries(r.profiles.counts).map(([k, c]) => `${k}: ${Object.entries(c).map(([p, x]) => `${x} ${p}`).join(', ')}`).join('; ') + '.');
  L.push('');
  L.push('## Checks: the report against the events');
  L.push('');
  L.push('| check | expected | found | |');
  L.push('|---|---:|---:|---|');
  for (const c of r.checks) L.push(`| ${c.name} | ${n(c.expected)} | ${n(c.actual)} | ${c.ok ? '✓' : '✗'} |`);
  L.push('');
  return L.join('\n');
}

function fmtQ(q: number): string {
  if (q === 0) return '0';
  if (q >= 100) return Math.round(q).toLocaleString('en');
  if (q >= 1) return q.toFixed(1);
  return q.toPrecision(2);
}

export function writeReport(dir: string, r: SimReport): { files: string[] } {
  mkdirSync(join(dir, 'charts'), { recursive: true });
  const list = charts(r);
  const files: string[] = [];
  for (const c of list) {
    writeFileSync(join(dir, 'charts', c.file), `${c.svg}\n`);
    files.push(join(dir, 'charts', c.file));
  }
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, 'report.md'), `${markdown(r, list)}\n`);
  files.unshift(join(dir, 'report.json'), join(dir, 'report.md'));
  return { files };
}
