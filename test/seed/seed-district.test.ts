// Seeding against DynamoDB Local: exact counts in the table, idempotent, and bad configs write nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Subject } from '../../functions/domain/people';
import { loadDistrictConfig } from '../../infra/district-config-files';
import { seedDistrict } from '../../dev/seed/seed-district';
import { CapacityMeter } from '../../dev/local/capacity-meter';
import { documentClient } from '../../functions/store/client';
import { ensureTable } from '../../functions/store/ensure-table';
import { RegisterStore } from '../../functions/store/register-store';
import { testDynamoClient, uniqueTableName } from '../support/dynamodb';

const client = testDynamoClient();
const meter = new CapacityMeter(client);
const doc = documentClient(client);

async function allSubjects(store: RegisterStore, districtId: string): Promise<Subject[]> {
  const out: Subject[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listSubjects({ id: districtId, kind: 'district' }, { limit: 500, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

describe('seeding Chuanhui', () => {
  const config = loadDistrictConfig('seeds/districts/chuanhui.json');
  const table = uniqueTableName('seed-chuanhui');
  const store = new RegisterStore(doc, table, 'chuanhui');

  beforeAll(async () => {
    await ensureTable(client, table);
  });

  it('writes the whole register with the exact class counts', async () => {
    const result = await seedDistrict(config, store, { concurrency: 16 });
    expect(result.status).toBe('seeded');
    const tree = await store.orgTree();
    const count = (k: string) => tree.filter((u) => u.kind === k).length;
    expect([count('district'), count('street'), count('community'), count('unit')]).toEqual([1, 5, 24, 191]);
    const subjects = await allSubjects(store, 'chuanhui');
    const byClass = (c: string) => subjects.filter((s) => s.class === c).length;
    expect(subjects).toHaveLength(15_289);
    expect([byClass('primary'), byClass('co_managed'), byClass('mobile')]).toEqual([2288, 11669, 1332]);
    expect(new Set(subjects.map((s) => s.subjectId)).size).toBe(15_289);
    expect(await store.getStaff('dm-chuanhui')).toMatchObject({ role: 'district_manager', orgUnitId: 'chuanhui' });
  });

  it('a second run writes nothing and duplicates nothing', async () => {
    meter.reset();
    const again = await seedDistrict(config, store);
    expect(again.status).toBe('already-seeded');
    const sent = meter.reset().commands;
    expect(sent).toEqual(['GetItemCommand']);
    expect(await allSubjects(store, 'chuanhui')).toHaveLength(15_289);
  });
});

describe('seeding a changed config', () => {
  it('re-seeds over the same keys without duplicates and moves the marker on', async () => {
    const base = loadDistrictConfig('seeds/districts/yiling.json');
    const table = uniqueTableName('seed-yiling');
    await ensureTable(client, table);
    const store = new RegisterStore(doc, table, base.id);
    const first = await seedDistrict(base, store);
    const changed = { ...base, register: { ...base.register, seed: base.register.seed + 1 } };
    const second = await seedDistrict(changed, store);
    expect(second.status).toBe('seeded');
    expect(second.configHash).not.toBe(first.configHash);
    expect((await store.getSeedMarker())?.configHash).toBe(second.configHash);
    const total = base.register.primary + base.register.co_managed + base.register.mobile;
    expect(await allSubjects(store, base.id)).toHaveLength(total);
  });
});

describe('a malformed config stops npm start before anything is written', () => {
  it('names the file, the JSON path and the reason, exits non-zero, creates no data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shudi-badconfig-'));
    const good = JSON.parse(readFileSync('seeds/districts/yiling.json', 'utf8'));
    good.streets[0].communities[0].checkDays[0] = '13-40';
    const file = join(dir, 'yiling.json');
    writeFileSync(file, JSON.stringify(good, null, 2));
    const dataDir = join(dir, 'data');
    const run = spawnSync('npx', ['tsx', 'dev/local/start.ts'], {
      env: { ...process.env, SHUDI_DISTRICT_FILE: file, SHUDI_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('streets[0].communities[0].checkDays[0]');
    expect(run.stderr).toMatch(/MM-DD/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
