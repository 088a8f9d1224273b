// Write units as DynamoDB bills them, for the writes DynamoDB Local miscounts.
//
// DynamoDB Local reports ReturnConsumedCapacity correctly for single-item writes, but for a TransactWriteItems it
// reports one item's worth per table and index (2 units for three 1 KB puts, where DynamoDB bills 6). The
// simulation and the benchmarks therefore price every transaction themselves, with DynamoDB's rules:
//   - a write consumes ⌈size / 1 KB⌉ units in the table (the larger of the old and new item for a replace) and the
//     same in every global secondary index the item is in, before or after (projection ALL): an index entry whose
//     key changed is a delete of the old entry and a put of the new one;
//   - a delete consumes ⌈old size / 1 KB⌉ in the table and in each index the old item was in;
//   - a transactional write consumes twice that.
// To know the old item, the model remembers the size and index keys of every item it has seen written.
import { INDEXES } from '../../functions/store/table-design';

type Raw = Record<string, unknown>;

/** DynamoDB's item size: attribute names plus values (strings in UTF-8, numbers about 1 byte per 2 digits + 1, maps and lists 3 + their elements). */
export function itemSize(item: Raw): number {
  const value = (v: unknown): number => {
    if (v === null || v === undefined || typeof v === 'boolean') return 1;
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.\-e+]/g, '').replace(/^0+/, '').length / 2) + 1;
    if (Array.isArray(v)) return 3 + v.reduce((s: number, x) => s + value(x) + 1, 0);
    if (typeof v === 'object') return 3 + Object.entries(v as Raw).reduce((s, [k, x]) => s + Buffer.byteLength(k) + value(x) + 1, 0);
    return 0;
  };
  return Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k) + value(v), 0);
}

const GSIS = Object.values(INDEXES);
const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

interface Known {
  size: number;
  /** `${pk}\u0000${sk}` per index, or undefined when the item is not in it. */
  keys: (string | undefined)[];
}

function knownOf(item: Raw): Known {
  return { size: itemSize(item), keys: GSIS.map((g) => (item[g.pk] === undefined ? undefined : `${String(item[g.pk])}\u0000${String(item[g.sk])}`)) };
}

const keyOf = (k: Raw) => `${String(k.PK)}\u0000${String(k.SK)}`;

/** Standard-write units to replace `before` (or nothing) with `after`. */
export function putUnits(before: Known | undefined, after: Known): number {
  let units = kb(Math.max(after.size, before?.size ?? 0));
  GSIS.forEach((_, i) => {
    const had = before?.keys[i];
    const has = after.keys[i];
    if (had === undefined && has !== undefined) units += kb(after.size);
    else if (had !== undefined && has === undefined) units += kb(before!.size);
    else if (had !== undefined && has !== undefined) units += had !== has ? kb(before!.size) + kb(after.size) : kb(Math.max(after.size, before!.size));
  });
  return units;
}

export function deleteUnits(before: Known | undefined): number {
  if (!before) return 1;
  return kb(before.size) * (1 + before.keys.filter((k) => k !== undefined).length);
}

export class WriteModel {
  private readonly known = new Map<string, Known>();

  /** An item written outside a transaction (a batch put, a put): remembered for later replaces. */
  remember(item: Raw): void {
    this.known.set(keyOf(item), knownOf(item));
  }

  forget(key: Raw): void {
    this.known.delete(keyOf(key));
  }

  /** Before the write: what the item was. */
  previous(key: Raw): Known | undefined {
    return this.known.get(keyOf(key));
  }

  /**
   * Units of a successful TransactWriteItems (DynamoDB bills 2 per transactional write unit), by item, and the
   * model updated. `kindOf` names each item for the caller's breakdown.
   */
  transaction(items: { Put?: { Item: Raw }; Delete?: { Key: Raw }; Update?: { Key: Raw }; ConditionCheck?: { Key: Raw } }[]): { units: number; perItem: { key: Raw; put: boolean; units: number }[] } {
    const perItem: { key: Raw; put: boolean; units: number }[] = [];
    let units = 0;
    for (const t of items) {
      if (t.Put) {
        const before = this.previous(t.Put.Item);
        const after = knownOf(t.Put.Item);
        const u = 2 * putUnits(before, after);
        this.known.set(keyOf(t.Put.Item), after);
        perItem.push({ key: t.Put.Item, put: true, units: u });
        units += u;
      } else if (t.Delete) {
        const u = 2 * deleteUnits(this.previous(t.Delete.Key));
        this.forget(t.Delete.Key);
        perItem.push({ key: t.Delete.Key, put: false, units: u });
        units += u;
      } else if (t.Update || t.ConditionCheck) {
        // Not used by the product's transactions; priced as one unit read or written, twice.
        units += 2;
      }
    }
    return { units, perItem };
  }
}
