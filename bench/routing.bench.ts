// `npm run bench:routing`: what one typical lifecycle of each case type costs on AWS, measured on the
// whole product in-process (the real ASL workflows on aws-local-stepfunctions, the real handlers,
// an in-memory DynamoDB Local) on a virtual clock, over the seeded Chuanhui register:
// Step Functions state transitions, DynamoDB read and write units, requests by command, and the
// history entries, timers and reminder intents (outbox items) the lifecycle writes. Also the cost
// of one empty sweep and of one health-checks generator run over the whole register.
// A benchmark: it prints figures, it asserts nothing (wall times are printed for information only).
//
// What is measured is what the product's Lambdas send (every request made inside a Task handler).
// The local runtime's own look-ups while it moves the clock (`advanceTo` asks the due index which
// timer comes next, then re-reads the timer after each sweep) stand in for EventBridge Scheduler
// and cost nothing on AWS: they are counted apart and left out of the figures (shown as
// "harness" in the output and the JSON).
import '../functions/local/runtime-shims';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Actor } from '../functions/domain/case';
import { checkCadence, checkPeriod } from '../functions/domain/case-machines';
import { VirtualClock } from '../functions/domain/clock';
import type { Subject } from '../functions/domain/people';
import { addCalendarDays, businessDateOf, businessInstant } from '../functions/domain/time';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { progressLine } from '../functions/local/progress';
import { LocalRuntime } from '../functions/local/runtime';
import type { TaskHandler } from '../functions/handlers/workflow-handlers';
import { jobTimes } from '../functions/app/schedule';
import { loadDistrictConfig } from '../functions/seed/load-district';
import { CapacityMeter } from '../functions/store/capacity-meter';
import { createDynamoClient } from '../functions/store/client';

const DISTRICT_FILE = 'seeds/districts/chuanhui.json';
const START = businessInstant('2026-03-02', '10:00'); // a Monday

// ---------------------------------------------------------------------------------------------
// Attribution: which requests a Lambda sent, which the local harness sent.

/** Set while a Task handler runs: the function key. Requests made outside any handler are the harness's. */
const inHandler = new AsyncLocalStorage<string>();

interface Writes {
  history: number;
  timers: number;
  outbox: number;
  subjects: number;
  feedback: number;
}
const noWrites = (): Writes => ({ history: 0, timers: 0, outbox: 0, subjects: 0, feedback: 0 });

/** What the harness sent (to subtract), and what the product's transactions wrote, item by item. */
class Ledger {
  harness = { requests: 0, readUnits: 0, writeUnits: 0 };
  writes = noWrites();

  constructor(client: DynamoDBClient) {
    // Added after the CapacityMeter, in the same step: runs inside it, so it sees the
    // ReturnConsumedCapacity the meter asked for and the capacity in the output.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const name = context.commandName ?? 'unknown';
        if (inHandler.getStore() === undefined) {
          const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
          const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
          const units = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
          this.harness.requests++;
          if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(name)) this.harness.writeUnits += units;
          else this.harness.readUnits += units;
        } else if (name === 'TransactWriteItemsCommand') {
          const items = ((args.input as { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] }).TransactItems ?? []);
          for (const t of items) {
            const item = t.Put?.Item;
            if (!item) continue;
            const pk = text(item.PK);
            const sk = text(item.SK);
            if (sk.startsWith('H#')) this.writes.history++;
            else if (sk.startsWith('TIMER#')) this.writes.timers++;
            else if (pk.startsWith('OUTBOX#')) this.writes.outbox++;
            else if (pk.startsWith('SUBJECT#')) this.writes.subjects++;
            else if (pk.startsWith('FEEDBACK#')) this.writes.feedback++;
          }
        }
        return result;
      },
      { step: 'initialize', name: 'routingBenchLedger' },
    );
  }

  reset() {
    this.harness = { requests: 0, readUnits: 0, writeUnits: 0 };
    this.writes = noWrites();
  }
}

/** A key attribute, marshalled ({ S: "…" }) or not. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { S?: unknown }).S === 'string') return (v as { S: string }).S;
  return '';
}

// ---------------------------------------------------------------------------------------------
// Figures

interface Figures {
  transitions: number;
  executions: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  requests: number;
  requestsByCommand: Record<string, number>;
  historyEntries: number;
  timersSet: number;
  outboxItems: number;
  subjectsChanged: number;
  feedbackItems: number;
  /** Left out of the figures above: the local runtime's own look-ups while moving the clock. */
  harness: { requests: number; readUnits: number; writeUnits: number };
  wallSeconds: number;
}

interface Row extends Figures {
  key: string;
  label: string;
  typical: string;
  extra?: Record<string, unknown>;
}

const round = (n: number) => Math.round(n * 10) / 10;

function totals(rt: LocalRuntime) {
  const out: Record<string, { executions: number; transitions: number }> = {};
  for (const [w, t] of Object.entries(rt.transitions)) out[w] = { ...t };
  return out;
}

/** Runs `body` with the meter, the ledger and the transition counts reset before and read after. */
async function measure(rt: LocalRuntime, meter: CapacityMeter, ledger: Ledger, body: () => Promise<void>): Promise<Figures> {
  const before = totals(rt);
  meter.reset();
  ledger.reset();
  const started = performance.now();
  await body();
  const wallSeconds = (performance.now() - started) / 1000;
  const reading = meter.read();
  const after = totals(rt);
  let transitions = 0;
  const executions: Record<string, number> = {};
  for (const [w, t] of Object.entries(after)) {
    const b = before[w] ?? { executions: 0, transitions: 0 };
    transitions += t.transitions - b.transitions;
    if (t.executions > b.executions) executions[w] = t.executions - b.executions;
  }
  const byCommand: Record<string, number> = {};
  for (const c of reading.commands) byCommand[c] = (byCommand[c] ?? 0) + 1;
  // The harness only reads (GetItem of a timer, Query of the due index): take its requests off by name.
  const harness = { ...ledger.harness };
  let toRemove = harness.requests;
  for (const name of ['QueryCommand', 'GetItemCommand']) {
    // Attribution by name is approximate only in the split between the two; totals are exact.
    const n = Math.min(byCommand[name] ?? 0, toRemove);
    void n;
  }
  const harnessByCommand = await Promise.resolve(ledgerHarnessByCommand.splice(0));
  for (const [name, n] of Object.entries(harnessByCommand)) {
    byCommand[name] = (byCommand[name] ?? 0) - n;
    if (byCommand[name]! <= 0) delete byCommand[name];
    toRemove -= n;
  }
  const w = ledger.writes;
  return {
    transitions,
    executions,
    readUnits: round(reading.readUnits - harness.readUnits),
    writeUnits: round(reading.writeUnits - harness.writeUnits),
    requests: reading.commands.length - harness.requests,
    requestsByCommand: Object.fromEntries(Object.entries(byCommand).sort()),
    historyEntries: w.history,
    timersSet: w.timers,
    outboxItems: w.outbox,
    subjectsChanged: w.subjects,
    feedbackItems: w.feedback,
    harness: { requests: harness.requests, readUnits: round(harness.readUnits), writeUnits: round(harness.writeUnits) },
    wallSeconds: Number(wallSeconds.toFixed(2)),
  };
}
const ledgerHarnessByCommand: Record<string, number>[] = [];
