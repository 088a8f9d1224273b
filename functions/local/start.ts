// `npm start`: the whole product on one machine. Starts DynamoDB Local on disk under .data/,
// creates the district table, seeds the district once, prints a summary, runs until Ctrl-C.
import './runtime-shims';
import { loadDistrictConfig, ConfigError } from '../seed/load-district';
import { seedDistrict } from '../seed/seed-district';
import { createDynamoClient, documentClient } from '../store/client';
import { ensureTable } from '../store/ensure-table';
import { RegisterStore } from '../store/register-store';
import { tableNameFor } from '../store/table-design';
import { startDynamoDbLocal } from './dynamodb-local';
import { progressLine } from './progress';

const districtFile = process.env.SHUDI_DISTRICT_FILE ?? `seeds/districts/${process.env.SHUDI_DISTRICT ?? 'chuanhui'}.json`;
const dataDir = process.env.SHUDI_DATA_DIR ?? '.data/dynamodb';

async function main() {
  // The config is validated before anything starts: a bad one writes nothing.
  let config;
  try {
    config = loadDistrictConfig(districtFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  const districtId = config.id;
  console.log(`shudi: starting DynamoDB Local (data in ${dataDir}) …`);
  const db = await startDynamoDbLocal({ inMemory: false, dataDir });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nshudi: stopping DynamoDB Local …');
    await db.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const client = createDynamoClient({ endpoint: db.endpoint });
    const tableName = tableNameFor(districtId);
    await ensureTable(client, tableName);
    const register = new RegisterStore(documentClient(client), tableName, districtId);
    let bar: ReturnType<typeof progressLine> | undefined;
    const result = await seedDistrict(config, register, {
      onProgress: (done, total) => {
        bar ??= progressLine(`seeding ${districtId}`, total);
        bar.update(done);
      },
    });
    bar?.done();

    const tree = await register.orgTree();
    const marker = await register.getSeedMarker();
    const kinds = (k: string) => tree.filter((u) => u.kind === k).length;
    const c = marker?.counts ?? {};
    const fmt = (v: number | undefined) => (v ?? 0).toLocaleString('en');
    console.log('');
    console.log(`District      ${config.name.zh} ${config.name.en} (${districtId}) — ${result.status === 'seeded' ? 'seeded now' : 'already seeded'}`);
    console.log(`Streets       ${kinds('street')}`);
    console.log(`Communities   ${kinds('community')}`);
    console.log(`Units         ${kinds('unit')}`);
    console.log(`Staff         ${fmt(c.staff)}`);
    console.log(`Subjects      ${fmt(c.subjects)} = ${fmt(c.primary)} primary + ${fmt(c.co_managed)} co_managed + ${fmt(c.mobile)} mobile`);
    console.log(`DynamoDB      ${db.endpoint} table ${tableName}`);
    console.log('\nshudi is running. Press Ctrl-C to stop.');
  } catch (err) {
    console.error(err);
    await stop(1);
  }
}

void main();
