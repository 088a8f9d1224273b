// Shared by the benchmarks of `npm run bench`: a metering DynamoDB client (read and write units, items returned and
// items scanned per request), results files, and small formatting helpers. Benchmarks print figures; they never
// assert a time.
import '../dev/local/runtime-shims';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface Reading {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Items returned by Query and Scan. */
  items: number;
  /** Items the Query or Scan examined (ScannedCount): equal to items when nothing was filtered out. */
  scanned: number;
}

const zero = (): Reading => ({ requests: 0, readUnits: 0, writeUnits: 0, items: 0, scanned: 0 });
const WRITES = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

/** Meters every request of a client (ReturnConsumedCapacity TOTAL), as `measure(fn)` windows. */
export class BenchMeter {
  private r = zero();

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? '';
        const input = args.input as Record<string, unknown>;
        if (/Item|Query|Scan|Transact/.test(name)) input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const out = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[]; Count?: number; ScannedCount?: number };
        const list = Array.isArray(out.ConsumedCapacity) ? out.ConsumedCapacity : out.ConsumedCapacity ? [out.ConsumedCapacity] : [];
        const units = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
        this.r.requests++;
        if (WRITES.test(name)) this.r.writeUnits += units;
        else this.r.readUnits += units;
        if (typeof out.Count === 'number') this.r.items += out.Count;
        if (typeof out.ScannedCount === 'number') this.r.scanned += out.ScannedCount;
        return result;
      },
      { step: 'initialize', name: 'benchMeter' },
    );
  }

  reset(): void {
    this.r = zero();
  }

  read(): Reading {
    return { ...this.r };
  }

  /** Runs fn with the meter reset before; returns the reading and the wall milliseconds. */
  async measure<T>(fn: () => Promise<T>): Promise<{ value: T; reading: Reading; ms: number }> {
    this.reset();
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    return { value, reading: this.read(), ms };
  }
}

export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${name}.json`;
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), ...data }, null, 2)}\n`);
  return file;
}

export function machine() {
  return { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, loadAverage1m: Number(loadavg()[0]!.toFixed(2)) };
}

export const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
export const fmt = (n: number, d = 2) => (Number.isInteger(n) ? n.toLocaleString('en') : n.toLocaleString('en', { maximumFractionDigits: d }));

/** One line on stderr that updates in place on a terminal (every 5 s otherwise). */
export function progress(label: string) {
  let last = 0;
  return (text: string, final = false) => {
    const now = Date.now();
    if (process.stderr.isTTY) {
      if (final || now - last > 200) process.stderr.write(`\r${label}: ${text}\x1b[K${final ? '\n' : ''}`);
    } else if (final || now - last > 5000) process.stderr.write(`${label}: ${text}\n`);
    else return;
    last = now;
  };
}

/** The server compiler for a long DynamoDB Local run (the launcher's default stops at C1 for a fast start). */
export function preferServerCompiler() {
  process.env.JAVA_TOOL_OPTIONS ??= '-XX:-TieredCompilation';
}

/** Counts the items every write request sends (a transaction or a batch counts its items): `count()` since `reset()`. */
export function countItemsWritten(client: DynamoDBClient): { count: () => number; reset: () => void } {
  let n = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TransactItems?: unknown[]; RequestItems?: Record<string, unknown[]> };
      if (context.commandName === 'TransactWriteItemsCommand') n += input.TransactItems?.length ?? 0;
      else if (context.commandName === 'BatchWriteItemCommand') n += Object.values(input.RequestItems ?? {}).reduce((sum, l) => sum + l.length, 0);
      else if (/^(Put|Update|Delete)Item/.test(context.commandName ?? '')) n++;
      return next(args);
    },
    { step: 'initialize', name: 'countItemsWritten' },
  );
  return { count: () => n, reset: () => void (n = 0) };
}
