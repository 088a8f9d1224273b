// What the simulation watches on the DynamoDB client, without touching the product's code:
//
// - a meter that asks every request for its consumed capacity and books it to whoever sent it: a Task handler
//   (a Lambda on AWS, by its function key), the subject registration of an inflow, or the local harness (the
//   runtime finding the next due timer while it moves the clock: EventBridge Scheduler's job on AWS, free);
// - a mirror of every case the product writes, from the items of its successful transactions: the runner learns
//   of each new case (opened by a workflow, a job, a timer or as a follow-on) and of each change of hands without
//   reading the table.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Case } from '../domain/case';
import { strip } from '../store/keys';

/** Who is sending requests right now: a function key, 'registerSubject', or undefined (the harness). */
export const sender = new AsyncLocalStorage<string>();

export interface Usage {
  requests: number;
  readUnits: number;
  writeUnits: number;
  byCommand: Record<string, number>;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);
export const HARNESS = '(harness)';

export const emptyUsage = (): Usage => ({ requests: 0, readUnits: 0, writeUnits: 0, byCommand: {} });

type RawItem = Record<string, unknown>;

/** One marshalled attribute value (the subset the product writes). */
function fromAttribute(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const a = v as Record<string, unknown>;
  if ('S' in a) return a.S;
  if ('N' in a) return Number(a.N);
  if ('BOOL' in a) return a.BOOL;
  if ('NULL' in a) return null;
  if ('L' in a) return (a.L as unknown[]).map(fromAttribute);
  if ('M' in a) return Object.fromEntries(Object.entries(a.M as Record<string, unknown>).map(([k, x]) => [k, fromAttribute(x)]));
  if ('SS' in a) return a.SS;
  if ('NS' in a) return (a.NS as string[]).map(Number);
  return v;
}

/** An item as the middleware sees it: plain (DocumentClient, before marshalling) or marshalled (raw client). */
function plain(item: RawItem): RawItem {
  const sk = item.SK;
  if (sk && typeof sk === 'object' && typeof (sk as { S?: unknown }).S === 'string') {
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, fromAttribute(v)]));
  }
  return item;
}

function kindOf(pk: string, sk: string): string {
  if (sk === 'CASE') return 'case';
  if (sk.startsWith('H#')) return 'history';
  if (sk.startsWith('TIMER#')) return 'timer';
  if (pk.startsWith('OUTBOX#')) return 'outbox';
  if (pk.startsWith('SUBJECT#')) return 'subject';
  if (pk.startsWith('FEEDBACK#')) return 'feedback';
  return 'other';
}

export interface CaseWrite {
  before: Case | undefined;
  after: Case;
}

export class Observer {
  /** Capacity and requests by sender. */
  readonly usage = new Map<string, Usage>();
  /** Every case as last written by the product. */
  readonly cases = new Map<string, Case>();
  /** Reminder and notice intents written (outbox items), by template. */
  readonly outboxByTemplate: Record<string, number> = {};
  /**
   * Item writes inside the product's transactions, by kind of item, with an estimate of their write units
   * (2 × ⌈size / 1 KB⌉ × (1 + index entries) per put, 2 × (1 + 1) per timer delete): the cost model takes the
   * timers and the outbox out of the naive design's writes with it.
   */
  readonly itemWrites: Record<string, { puts: number; deletes: number; estimatedWriteUnits: number }> = {};
  private pending: CaseWrite[] = [];
  private readonly listeners: ((w: CaseWrite) => void)[] = [];

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        const input = args.input as Record<string, unknown>;
        if (READS.has(name) || WRITES.has(name)) input.ReturnConsumedCapacity = 'TOTAL';
        const who = sender.getStore() ?? HARNESS;
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
        const list = Array.isArray(output.ConsumedCapacity) ? output.ConsumedCapacity : output.ConsumedCapacity ? [output.ConsumedCapacity] : [];
        const units = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
        let u = this.usage.get(who);
        if (!u) this.usage.set(who, (u = emptyUsage()));
        u.requests++;
        u.byCommand[name] = (u.byCommand[name] ?? 0) + 1;
        if (WRITES.has(name)) u.writeUnits += units;
        else if (READS.has(name)) u.readUnits += units;
        if (name === 'TransactWriteItemsCommand') this.onTransaction(input);
        return result;
      },
      { step: 'initialize', name: 'shudiSimObserver' },
    );
  }

  /** Called for every case write after it succeeded. */
  onCaseWrite(listener: (w: CaseWrite) => void) {
    this.listeners.push(listener);
  }

  /** The case writes seen since the last call, in the order they were written. */
  drain(): CaseWrite[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  total(filter: (sender: string) => boolean = (s) => s !== HARNESS): Usage {
    const t = emptyUsage();
    for (const [who, u] of this.usage) {
      if (!filter(who)) continue;
      t.requests += u.requests;
      t.readUnits += u.readUnits;
      t.writeUnits += u.writeUnits;
      for (const [c, n] of Object.entries(u.byCommand)) t.byCommand[c] = (t.byCommand[c] ?? 0) + n;
    }
    return t;
  }

  resetUsage() {
    this.usage.clear();
  }

  private onTransaction(input: Record<string, unknown>) {
    const items = (input.TransactItems as { Put?: { Item?: RawItem }; Delete?: { Key?: RawItem } }[] | undefined) ?? [];
    for (const t of items) {
      if (t.Delete?.Key) {
        const key = plain(t.Delete.Key);
        const kind = kindOf(String(key.PK ?? ''), String(key.SK ?? ''));
        const w = (this.itemWrites[kind] ??= { puts: 0, deletes: 0, estimatedWriteUnits: 0 });
        w.deletes++;
        w.estimatedWriteUnits += 2 * (kind === 'timer' ? 2 : 1);
        continue;
      }
      if (!t.Put?.Item) continue;
      const item = plain(t.Put.Item);
      const sk = String(item.SK ?? '');
      const pk = String(item.PK ?? '');
      {
        const kind = kindOf(pk, sk);
        const w = (this.itemWrites[kind] ??= { puts: 0, deletes: 0, estimatedWriteUnits: 0 });
        w.puts++;
        const indexEntries = Object.keys(item).filter((k) => /^GSI\d+PK$/.test(k)).length;
        w.estimatedWriteUnits += 2 * Math.ceil(Buffer.byteLength(JSON.stringify(item)) / 1024) * (1 + indexEntries);
      }
      if (sk === 'CASE' && pk.startsWith('CASE#')) {
        const after = strip<Case>(item);
        const before = this.cases.get(after.caseId);
        if (before && before.version >= after.version) continue;
        this.cases.set(after.caseId, after);
        const w = { before, after };
        this.pending.push(w);
        for (const l of this.listeners) l(w);
      } else if (pk.startsWith('OUTBOX#')) {
        const template = String(item.template ?? 'unknown');
        this.outboxByTemplate[template] = (this.outboxByTemplate[template] ?? 0) + 1;
      }
    }
  }
}
