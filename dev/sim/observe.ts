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
import type { Case } from '../../functions/domain/case';
import { strip } from '../../functions/store/keys';
import { WriteModel } from './capacity';

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
   * Item writes inside the product's transactions, by kind of item, with their write units as DynamoDB bills them
   * (dev/sim/capacity.ts): the cost model takes the outbox out of the naive design with it (timers ride on the case item).
   */
  readonly itemWrites: Record<string, { puts: number; deletes: number; estimatedWriteUnits: number }> = {};
  /** Write units DynamoDB Local itself reported for the transactions (it counts one item per table and index). */
  localReportedTransactionWriteUnits = 0;
  /** Write units of the transactions as DynamoDB bills them (used in `usage`). */
  modelTransactionWriteUnits = 0;
  readonly writes = new WriteModel();
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
        if (name === 'TransactWriteItemsCommand') {
          this.localReportedTransactionWriteUnits += units;
          const billed = this.onTransaction(input);
          this.modelTransactionWriteUnits += billed;
          u.writeUnits += billed;
        } else if (WRITES.has(name)) {
          u.writeUnits += units;
          this.rememberWrites(name, input);
        } else if (READS.has(name)) u.readUnits += units;
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

  /** Items written outside transactions (the seed's batches, a registration, the publisher's puts): remembered. */
  private rememberWrites(name: string, input: Record<string, unknown>) {
    if (name === 'BatchWriteItemCommand') {
      for (const requests of Object.values((input.RequestItems as Record<string, { PutRequest?: { Item: RawItem }; DeleteRequest?: { Key: RawItem } }[]>) ?? {})) {
        for (const r of requests) {
          if (r.PutRequest) this.writes.remember(plain(r.PutRequest.Item));
          else if (r.DeleteRequest) this.writes.forget(plain(r.DeleteRequest.Key));
        }
      }
    } else if (name === 'PutItemCommand' && input.Item) this.writes.remember(plain(input.Item as RawItem));
    else if (name === 'DeleteItemCommand' && input.Key) this.writes.forget(plain(input.Key as RawItem));
  }

  /** A successful transaction: its billed write units, the case mirror and the breakdown by kind of item. */
  private onTransaction(input: Record<string, unknown>): number {
    const raw = (input.TransactItems as { Put?: { Item?: RawItem }; Delete?: { Key?: RawItem } }[] | undefined) ?? [];
    const items = raw.map((t) => (t.Put?.Item ? { Put: { Item: plain(t.Put.Item) } } : t.Delete?.Key ? { Delete: { Key: plain(t.Delete.Key) } } : {}));
    const billed = this.writes.transaction(items);
    for (const x of billed.perItem) {
      const kind = kindOf(String(x.key.PK ?? ''), String(x.key.SK ?? ''));
      const w = (this.itemWrites[kind] ??= { puts: 0, deletes: 0, estimatedWriteUnits: 0 });
      if (x.put) w.puts++;
      else w.deletes++;
      w.estimatedWriteUnits += x.units;
    }
    for (const t of items) {
      if (!t.Put) continue;
      const item = t.Put.Item;
      const sk = String(item.SK ?? '');
      const pk = String(item.PK ?? '');
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
    return billed.units;
  }
}
