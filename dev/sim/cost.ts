// The AWS bill of a simulated period, from the counts the simulation measured and the price list
// (seeds/simulation/prices.json), beside the bill of a naive design on the same events.
//
// Ours, as deployed (infra/district-stack.ts):
//   - Step Functions Standard: the transitions of every execution the period ran, plus the sweeper runs that find
//     nothing (EventBridge Scheduler starts one every 15 minutes on AWS; the local clock sweeps only when a timer is due);
//   - Lambda: every Task handler invocation, every command (the API function: open a case, act on one), the publisher (every minute on AWS) and the daily digest; duration from
//     the requests each invocation made (prices.json lambdaDuration), memory from the stack's sizing;
//   - DynamoDB on-demand: the read and write units the product consumed (DynamoDB Local's ReturnConsumedCapacity),
//     plus 0.5 RRU per query of an idle scheduled run, and the table's storage;
//   - SMS (a Chinese provider), e-mail (SES) and one SNS publish per message, as the local sink received them;
//   - EventBridge Scheduler invocations, CloudWatch Logs ingestion.
// Naive: one Standard execution per case that opens the case, then loops "Wait 1 day → CheckCase (Lambda) →
// Closed?" until the case closes (or the period ends), and sends every reminder as its own message when it falls due
// (no digest). Staff actions write the case through an API Lambda; the daily check sees them. It needs no timer
// items, no outbox and no sweeper; everything else (the table, the generator jobs) is the same.
import type { Prices } from './prices';
import { memoryGb } from './prices';

export interface FunctionCounts {
  invocations: number;
  /** DynamoDB requests it made (all of them), and how many were TransactWriteItems. */
  requests: number;
  transactions: number;
}

export interface CostInputs {
  days: number;
  transitions: number;
  /** Sweeper executions the local run made (each fired at least one due timer). */
  localSweeps: number;
  /** By function key: Task handlers, `publisher`, `dailyDigest`, `registerSubject` (not a Lambda: the register API's write). */
  functions: Record<string, FunctionCounts>;
  dynamodb: { readUnits: number; writeUnits: number; storageBytes: number };
  messages: { sms: number; email: number };
  /** Job workflow executions (health checks, change reports, unit notices): each one scheduled invocation. */
  jobRuns: number;
  naive: NaiveInputs;
}

export interface NaiveInputs {
  /** One execution per case. */
  executions: number;
  /** Σ over cases of the days each was open within the period (each day one Wait + CheckCase + Choice). */
  pollDays: number;
  /** Staff commands (each one API Lambda invocation that writes the case). */
  staffActions: number;
  /** Messages if every reminder and notice went out on its own (by the recipient's channel preference). */
  messages: { sms: number; email: number };
  /** Our write units minus the timer and outbox items and the publisher's and digest's writes. */
  writeUnits: number;
  /** Our read units minus the sweeper's, publisher's and digest's reads, plus one eventually consistent read per poll. */
  readUnits: number;
}

export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface CostSide {
  lines: CostLine[];
  totalUsd: number;
  byService: Record<string, number>;
}

export interface CostReport {
  pricesRecordedOn: string;
  region: string;
  cnyPerUsd: number;
  ours: CostSide;
  naive: CostSide;
  /** naive ÷ ours. */
  ratio: number;
  /** Step Functions alone: naive ÷ ours. */
  transitionsRatio: number;
}

const MINUTES_PER_DAY = 1440;

function side(lines: CostLine[]): CostSide {
  const byService: Record<string, number> = {};
  for (const l of lines) byService[l.service] = (byService[l.service] ?? 0) + l.usd;
  return { lines, totalUsd: lines.reduce((s, l) => s + l.usd, 0), byService };
}

/** GB-seconds of a function's invocations under the duration model. */
export function gbSeconds(prices: Prices, key: string, f: FunctionCounts): number {
  const d = prices.assumptions.lambdaDuration;
  const ms = f.invocations * d.baseMs + (f.requests - f.transactions) * d.perRequestMs + f.transactions * d.perTransactionMs;
  return (ms / 1000) * memoryGb(prices, key);
}

export function costOf(inputs: CostInputs, prices: Prices): CostReport {
  const p = prices.prices;
  const a = prices.assumptions;
  const usdPerSms = p.smsPerMessageCny.cny / prices.cnyPerUsd;

  // ---- ours
  const sweepsAws = Math.round((inputs.days * MINUTES_PER_DAY) / prices.schedules.sweeperEveryMinutes);
  const idleSweeps = Math.max(0, sweepsAws - inputs.localSweeps);
  const publisherTicks = Math.round((inputs.days * MINUTES_PER_DAY) / prices.schedules.publisherEveryMinutes);
  const publisherRuns = inputs.functions.publisher?.invocations ?? 0;
  const idlePublisher = Math.max(0, publisherTicks - publisherRuns);
  // An idle sweep: StartSweep, ListDueTimers, AnyDue, SweepDone; one listDueTimers invocation querying 4 shards.
  const idleSweepTransitions = idleSweeps * 4;
  const lambdaKeys = Object.keys(inputs.functions).filter((k) => k !== 'registerSubject');
  const invocations = lambdaKeys.reduce((s, k) => s + inputs.functions[k]!.invocations, 0) + idleSweeps + idlePublisher;
  let gbs = lambdaKeys.reduce((s, k) => s + gbSeconds(prices, k, inputs.functions[k]!), 0);
  gbs += gbSeconds(prices, 'listDueTimers', { invocations: idleSweeps, requests: idleSweeps * 4, transactions: 0 });
  gbs += gbSeconds(prices, 'publisher', { invocations: idlePublisher, requests: idlePublisher * 4, transactions: 0 });
  const idleReads = (idleSweeps + idlePublisher) * 4 * a.readRequestUnitsPerEmptyQuery;
  const storageGbMonths = (inputs.dynamodb.storageBytes / 1024 ** 3) * (inputs.days / (365 / 12));
  const messages = inputs.messages.sms + inputs.messages.email;
  const scheduler = sweepsAws + publisherTicks + inputs.days /* digest */ + inputs.jobRuns;

  const common = (lines: CostLine[], inv: number, msgs: { sms: number; email: number }) => {
    lines.push({ service: 'Lambda', item: 'requests', quantity: inv, unit: 'invocations', usd: (inv / 1e6) * p.lambdaRequestsPerMillion.usd });
    lines.push({ service: 'SMS', item: 'messages (Chinese provider)', quantity: msgs.sms, unit: 'SMS', usd: msgs.sms * usdPerSms });
    lines.push({ service: 'E-mail', item: 'messages (SES)', quantity: msgs.email, unit: 'e-mails', usd: (msgs.email / 1000) * p.emailPer1k.usd });
    lines.push({ service: 'SNS', item: 'publishes (one per message)', quantity: msgs.sms + msgs.email, unit: 'publishes', usd: ((msgs.sms + msgs.email) / 1e6) * p.snsPublishesPerMillion.usd });
    lines.push({ service: 'CloudWatch Logs', item: `ingestion (${a.logBytesPerInvocation} B per invocation)`, quantity: (inv * a.logBytesPerInvocation) / 1024 ** 3, unit: 'GB', usd: ((inv * a.logBytesPerInvocation) / 1024 ** 3) * p.cloudwatchLogsIngestionPerGb.usd });
    lines.push({ service: 'DynamoDB', item: 'storage', quantity: storageGbMonths, unit: 'GB-months', usd: storageGbMonths * p.dynamodbStoragePerGbMonth.usd });
  };

  const ours: CostLine[] = [];
  const transitions = inputs.transitions + idleSweepTransitions;
  ours.push({ service: 'Step Functions', item: `state transitions (incl. ${idleSweeps.toLocaleString('en')} idle sweeps)`, quantity: transitions, unit: 'transitions', usd: (transitions / 1000) * p.stepFunctionsStandardPer1kTransitions.usd });
  ours.push({ service: 'Lambda', item: 'duration (arm64)', quantity: gbs, unit: 'GB-s', usd: gbs * p.lambdaArmPerGbSecond.usd });
  ours.push({ service: 'DynamoDB', item: 'write request units', quantity: inputs.dynamodb.writeUnits, unit: 'WRU', usd: (inputs.dynamodb.writeUnits / 1e6) * p.dynamodbWriteRequestUnitsPerMillion.usd });
  const reads = inputs.dynamodb.readUnits + idleReads;
  ours.push({ service: 'DynamoDB', item: 'read request units (incl. idle scheduled runs)', quantity: reads, unit: 'RRU', usd: (reads / 1e6) * p.dynamodbReadRequestUnitsPerMillion.usd });
  ours.push({ service: 'EventBridge Scheduler', item: 'sweeper, publisher, digest and job schedules', quantity: scheduler, unit: 'invocations', usd: (scheduler / 1e6) * p.schedulerInvocationsPerMillion.usd });
  common(ours, invocations, inputs.messages);

  // ---- naive
  const n = inputs.naive;
  const naive: CostLine[] = [];
  const naiveTransitions = n.executions * 2 + n.pollDays * 3;
  naive.push({ service: 'Step Functions', item: 'state transitions (open, then Wait + CheckCase + Choice per day)', quantity: naiveTransitions, unit: 'transitions', usd: (naiveTransitions / 1000) * p.stepFunctionsStandardPer1kTransitions.usd });
  // Commands (opens and staff actions) run in the API function: the naive design makes the same ones.
  const api = inputs.functions.api;
  const perCommand = api && api.invocations ? { r: api.requests / api.invocations, t: api.transactions / api.invocations } : { r: 3, t: 1 };
  const jobKeys = ['planHealthChecks', 'generateHealthChecksPage', 'planObligations', 'openObligations'];
  const jobInvocations = jobKeys.reduce((s, k) => s + (inputs.functions[k]?.invocations ?? 0), 0);
  const naiveInvocations = n.executions + n.pollDays + n.staffActions + jobInvocations;
  let naiveGbs = gbSeconds(prices, 'api', { invocations: n.executions, requests: n.executions * perCommand.r, transactions: n.executions * perCommand.t });
  naiveGbs += gbSeconds(prices, 'checkCase', { invocations: n.pollDays, requests: n.pollDays, transactions: 0 });
  naiveGbs += gbSeconds(prices, 'api', { invocations: n.staffActions, requests: n.staffActions * perCommand.r, transactions: n.staffActions * perCommand.t });
  for (const k of jobKeys) if (inputs.functions[k]) naiveGbs += gbSeconds(prices, k, inputs.functions[k]!);
  naive.push({ service: 'Lambda', item: 'duration (arm64)', quantity: naiveGbs, unit: 'GB-s', usd: naiveGbs * p.lambdaArmPerGbSecond.usd });
  naive.push({ service: 'DynamoDB', item: 'write request units (no timers, no outbox)', quantity: n.writeUnits, unit: 'WRU', usd: (n.writeUnits / 1e6) * p.dynamodbWriteRequestUnitsPerMillion.usd });
  naive.push({ service: 'DynamoDB', item: 'read request units (incl. one read per case per day)', quantity: n.readUnits, unit: 'RRU', usd: (n.readUnits / 1e6) * p.dynamodbReadRequestUnitsPerMillion.usd });
  naive.push({ service: 'EventBridge Scheduler', item: 'job schedules', quantity: inputs.jobRuns, unit: 'invocations', usd: (inputs.jobRuns / 1e6) * p.schedulerInvocationsPerMillion.usd });
  common(naive, naiveInvocations, n.messages);

  const o = side(ours);
  const nv = side(naive);
  return {
    pricesRecordedOn: prices.recordedOn,
    region: prices.region,
    cnyPerUsd: prices.cnyPerUsd,
    ours: o,
    naive: nv,
    ratio: o.totalUsd > 0 ? nv.totalUsd / o.totalUsd : 0,
    transitionsRatio: transitions > 0 ? naiveTransitions / transitions : 0,
  };
}

export const messagesOfMessages = (messages: number) => messages;
