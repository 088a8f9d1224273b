// docs/data-model.md against the schema in code: every index of table-design.ts with its key
// attributes, and every key builder of keys.ts with the partition and sort keys it builds, must be
// in the page; a key the page names that no builder makes fails too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/store/keys';
import { INDEXES, TABLE_KEYS } from '../../functions/store/table-design';

const doc = readFileSync(new URL('../../docs/data-model.md', import.meta.url), 'utf8');
const section = (title: string) => {
  const start = doc.indexOf(`## ${title}`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
};

/** A key as the page writes it: each id argument in `<…>`, the constant parts as they are. */
const templated = (built: string) => built.replace(/__ARG\d__/g, '<');
const prefixOf = (built: string) => built.split('__ARG')[0]!;

describe('docs/data-model.md agrees with functions/store', () => {
  it('lists every index with its key attributes, and no other', () => {
    const table = section('Keys and indexes');
    const rows = [...table.matchAll(/^\| `(GSI\d+)`[^|]*\| `([^`]+)` \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows.sort()).toEqual(Object.values(INDEXES).map((i) => [i.name, i.pk, i.sk]).sort());
    expect(table).toContain(`| table | \`${TABLE_KEYS.partitionKey}\` | \`${TABLE_KEYS.sortKey}\` |`);
  });

  it('names the partition and sort key of every item a key builder makes', () => {
    const items = section('Items');
    const missing: string[] = [];
    for (const [name, build] of Object.entries(keys)) {
      const args = Array.from({ length: build.length }, (_, i) => `__ARG${i}__`);
      const built = (build as (...a: unknown[]) => unknown)(...args);
      const parts = typeof built === 'string' ? [built] : Object.values(built as Record<string, string>);
      for (const part of parts) {
        // The constant text before the first argument ("CASE#", "SEED", "DUE#TIMER#") must be in the Items table.
        const constant = prefixOf(part);
        if (constant !== '' && !items.includes(`\`${constant}`)) missing.push(`${name}: ${templated(part)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names no partition prefix that no key builder makes', () => {
    const items = section('Items');
    const built = new Set<string>();
    for (const build of Object.values(keys)) {
      const args = Array.from({ length: build.length }, (_, i) => `__ARG${i}__`);
      const out = (build as (...a: unknown[]) => unknown)(...args);
      for (const part of typeof out === 'string' ? [out] : Object.values(out as Record<string, string>)) built.add(prefixOf(part));
    }
    // Every `PREFIX#<…>` the Items table shows as a PK.
    const pks = [...items.matchAll(/^\| [^|]+ \| `([A-Z_]+#)</gm)].map((m) => m[1]!);
    expect(pks.length).toBeGreaterThan(8);
    expect(pks.filter((p) => ![...built].some((b) => b === p))).toEqual([]);
  });
});
