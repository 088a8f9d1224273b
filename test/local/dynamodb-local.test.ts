import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupStaleDynamoDbLocal,
  dynamoDbLocalJavaArgs,
  dynamoDbLocalRunDir,
  findFreePort,
  isProcessAlive,
  JAVA_MISSING_MESSAGE,
  processStartTime,
  startDynamoDbLocal,
  type DynamoDbLocal,
  type DynamoDbLocalPidRecord,
} from '../../dev/local/dynamodb-local';
import { testDynamoClient, uniqueTableName } from '../support/dynamodb';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const fixture = join(repoRoot, 'test/local/fixtures/hold-dynamodb.ts');

// ---------------------------------------------------------------------------
// Bookkeeping so that nothing survives this file, even when a test fails.
// ---------------------------------------------------------------------------
const instances: DynamoDbLocal[] = [];
const strayPids = new Set<number>();
const tempPaths: string[] = [];
const servers: Server[] = [];

afterAll(async () => {
  for (const d of instances) await d.stop().catch(() => {});
  for (const pid of strayPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const pid of strayPids) await waitGone(pid, 5_000);
  for (const s of servers) s.close();
  for (const p of tempPaths) rmSync(p, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startDynamoDbLocal>[0]): Promise<DynamoDbLocal> {
  const d = await startDynamoDbLocal(opts);
  instances.push(d);
  strayPids.add(d.pid);
  strayPids.add(d.watchdogPid);
  return d;
}

function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `shudi-ddb-${label}-`));
  tempPaths.push(dir);
  return dir;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** pids whose command line is DynamoDB Local listening on `port`. */
function dynamoProcessesOnPort(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const i = args.indexOf('-port');
    if (args.some((a) => a.includes('DynamoDBLocal')) && i >= 0 && args[i + 1] === String(port)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((r) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      r(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => r(err.code === 'ECONNREFUSED'));
  });
}

function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-1', // any region works: -sharedDb
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
}

function pidfilesFor(javaPid: number): string[] {
  const dir = dynamoDbLocalRunDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return (JSON.parse(readFileSync(p, 'utf8')) as DynamoDbLocalPidRecord).javaPid === javaPid;
      } catch {
        return false;
      }
    });
}

interface FixtureInfo {
  pid: number;
  watchdogPid: number;
  port: number;
  endpoint: string;
}

/** Runs the fixture in its own node process (no npx/tsx CLI in between, so child.pid is it). */
async function runFixture(mode: string): Promise<{ child: ChildProcess; info: FixtureInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) strayPids.add(child.pid);
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const info = await new Promise<FixtureInfo>((resolveInfo, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture gave no pid in 45 s; stderr: ${err}`)), 45_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolveInfo(JSON.parse(out.slice(0, nl)) as FixtureInfo);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fixture exited (${code}) before printing; stderr: ${err}`));
    });
  });
  strayPids.add(info.pid);
  strayPids.add(info.watchdogPid);
  return { child, info };
}

// ---------------------------------------------------------------------------

describe('startDynamoDbLocal', () => {
  it('runs in memory on a free port, serves requests, and stop() leaves nothing behind', async () => {
    const t0 = Date.now();
    const d = await start({ inMemory: true });
    console.log(
      `[dynamodb-local] in-memory start: ${Date.now() - t0} ms total, ${d.startupMs} ms spawn→ListTables (port ${d.port}, java pid ${d.pid})`,
    );
    expect(d.endpoint).toBe(`http://127.0.0.1:${d.port}`);
    expect(isProcessAlive(d.pid)).toBe(true);
    expect(dynamoProcessesOnPort(d.port)).toEqual([d.pid]);
    const [pidfile] = pidfilesFor(d.pid);
    expect(pidfile).toBeDefined();
    const record = JSON.parse(readFileSync(pidfile ?? '', 'utf8')) as DynamoDbLocalPidRecord;
    expect(record).toMatchObject({ javaPid: d.pid, watchdogPid: d.watchdogPid, parentPid: process.pid, port: d.port });
    // DynamoDB Local unpacks a ~1 MB SQLite .so per start into java.io.tmpdir: ours, not /tmp.
    expect(readdirSync(record.javaTmpDir ?? '').some((f) => f.endsWith('.so'))).toBe(true);

    const client = clientFor(d.endpoint);
    const table = uniqueTableName('mem');
    await createTable(client, table);
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    const got = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
    expect(got.Item?.v?.N).toBe('1');
    client.destroy();

    const s0 = Date.now();
    await d.stop();
    console.log(`[dynamodb-local] in-memory stop: ${Date.now() - s0} ms`);
    await d.stop(); // idempotent
    await Promise.all([d.stop(), d.stop()]);

    expect(isProcessAlive(d.pid)).toBe(false);
    expect(isProcessAlive(d.watchdogPid)).toBe(false);
    expect(dynamoProcessesOnPort(d.port)).toEqual([]);
    expect(await connectionRefused(d.port)).toBe(true);
    expect(pidfilesFor(d.pid)).toEqual([]);
    expect(existsSync(record.javaTmpDir ?? '')).toBe(false);
  });

  const hasPdeathsig = `${spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout ?? ''}`.includes('--pdeathsig');
  it.runIf(hasPdeathsig)('Java dies even if the watchdog itself is SIGKILLed (setpriv --pdeathsig)', async () => {
    const d = await start({ inMemory: true });
    expect(readFileSync(`/proc/${d.pid}/status`, 'utf8')).toMatch(new RegExp(`PPid:\\s+${d.watchdogPid}\\n`));
    process.kill(d.watchdogPid, 'SIGKILL');
    expect(await waitGone(d.pid, 5_000)).toBe(true);
    await d.stop(); // still fine afterwards
    expect(pidfilesFor(d.pid)).toEqual([]);
    expect(dynamoProcessesOnPort(d.port)).toEqual([]);
  });

  it('keeps data on disk across a restart on the same dataDir', async () => {
    const dataDir = join(tempDir('disk'), 'nested/dynamodb'); // created by start
    const first = await start({ dataDir });
    console.log(`[dynamodb-local] on-disk start (fresh): ${first.startupMs} ms`);
    expect(first.dataDir).toBe(dataDir);
    expect(existsSync(join(dataDir, 'dynamodb-local.pid.json'))).toBe(true);

    // A second instance on the same directory is refused while the first lives.
    await expect(startDynamoDbLocal({ dataDir })).rejects.toThrow(/already in use by pid/);

    const table = uniqueTableName('disk');
    const c1 = clientFor(first.endpoint);
    await createTable(c1, table);
    await c1.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'kept' }, v: { S: 'yes' } } }));
    c1.destroy();
    await first.stop();
    expect(isProcessAlive(first.pid)).toBe(false);
    expect(existsSync(join(dataDir, 'dynamodb-local.pid.json'))).toBe(false);
    expect(readdirSync(dataDir).some((f) => f.endsWith('.db'))).toBe(true);

    const second = await start({ dataDir });
    console.log(`[dynamodb-local] on-disk start (existing data): ${second.startupMs} ms`);
    const c2 = clientFor(second.endpoint);
    const got = await c2.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'kept' } } }));
    expect(got.Item?.v?.S).toBe('yes');
    c2.destroy();
    await second.stop();
    expect(dynamoProcessesOnPort(second.port)).toEqual([]);
  });

  it('explains a missing java', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDynamoDbLocal({ inMemory: true })).rejects.toThrow(JAVA_MISSING_MESSAGE);
    } finally {
      process.env.PATH = path;
    }
  });

  it('fails with Java output when the port is taken, and cleans up', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen({ port: 0 }, r));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const err = await startDynamoDbLocal({ port }).then(
      (d) => {
        instances.push(d);
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toMatch(/exited during startup/);
    expect(err?.message).toMatch(/java (stderr|stdout)/);
    console.log(`[dynamodb-local] port-taken error:\n${err?.message.split('\n').slice(0, 6).join('\n')}`);
    expect(dynamoProcessesOnPort(port)).toEqual([]);
    server.close();
  });

  it('times out with a clear error and kills the half-started Java', async () => {
    const err = await startDynamoDbLocal({ inMemory: true, startTimeoutMs: 50 }).then(
      (d) => {
        instances.push(d);
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/did not answer ListTables on http:\/\/127\.0\.0\.1:\d+ within 50 ms/);
    expect(err?.message).toMatch(/java stderr/);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(err?.message ?? '')?.[1]);
    expect(dynamoProcessesOnPort(port)).toEqual([]);
  });
});

describe('no Java outlives its parent', () => {
  it.each([
    ['SIGKILL', 'hold'],
    ['SIGTERM', 'hold'],
    ['SIGINT', 'hold'],
    ['uncaught exception', 'throw'],
    ['process.exit without stop()', 'exit'],
  ] as const)('parent ends by %s', async (how, mode) => {
    const { child, info } = await runFixture(mode);
    expect(dynamoProcessesOnPort(info.port)).toEqual([info.pid]);
    const exited = new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    const t0 = Date.now();
    if (how.startsWith('SIG')) child.kill(how as NodeJS.Signals);
    await exited;
    expect(await waitGone(info.pid, 15_000)).toBe(true);
    const javaGoneMs = Date.now() - t0;
    expect(await waitGone(info.watchdogPid, 5_000)).toBe(true);
    console.log(`[dynamodb-local] parent ${how}: java ${info.pid} gone after ${javaGoneMs} ms`);
    expect(dynamoProcessesOnPort(info.port)).toEqual([]);
    expect(await connectionRefused(info.port)).toBe(true);

    if (how.startsWith('SIG')) {
      // Killed by a signal, the parent ran no code, so its pidfile is left over
      // (harmless: Java is gone); the next start's stale scan removes it.
      expect(pidfilesFor(info.pid)).toHaveLength(1);
      await cleanupStaleDynamoDbLocal();
    }
    expect(pidfilesFor(info.pid)).toEqual([]);
  });
});

describe('stale pidfiles', () => {
  /** A real DynamoDB Local started WITHOUT the watchdog, detached: it would live forever. */
  function spawnUnprotectedJava(port: number): { pid: number; javaTmpDir: string } {
    const javaTmpDir = tempDir('stale-java');
    const java = spawn('java', dynamoDbLocalJavaArgs({ port, dataDir: null, id: randomUUID(), javaTmpDir }), {
      detached: true,
      stdio: 'ignore',
      cwd: javaTmpDir,
    });
    java.unref();
    if (java.pid === undefined) throw new Error('java did not spawn');
    strayPids.add(java.pid);
    return { pid: java.pid, javaTmpDir };
  }

  function spawnSleeper(): number {
    const p = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    p.unref();
    if (p.pid === undefined) throw new Error('sleep did not spawn');
    strayPids.add(p.pid);
    return p.pid;
  }

  function deadPid(): number {
    const r = spawnSync('true');
    if (r.pid === undefined || isProcessAlive(r.pid)) throw new Error('no dead pid');
    return r.pid;
  }

  function writeRecord(rec: Omit<DynamoDbLocalPidRecord, 'version' | 'id' | 'startedAt'>): string {
    const id = `test-${randomUUID()}`;
    const path = join(dynamoDbLocalRunDir(), `${id}.json`);
    const record: DynamoDbLocalPidRecord = { version: 1, id, startedAt: new Date().toISOString(), ...rec };
    writeFileSync(path, JSON.stringify(record));
    tempPaths.push(path);
    return path;
  }

  async function waitForCmdline(pid: number, port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!dynamoProcessesOnPort(port).includes(pid)) {
      if (Date.now() > deadline) throw new Error(`pid ${pid} never showed DynamoDBLocal -port ${port}`);
      await sleep(20);
    }
  }

  it('kills DynamoDB Local whose parent is dead, spares live owners and foreign processes', async () => {
    mkdirSync(dynamoDbLocalRunDir(), { recursive: true });

    // 1. stale: parent dead, DynamoDB Local alive  → must be killed
    const stalePort = await findFreePort();
    const stale = spawnUnprotectedJava(stalePort);
    await waitForCmdline(stale.pid, stalePort);
    const staleFile = writeRecord({
      javaPid: stale.pid,
      javaStart: processStartTime(stale.pid),
      watchdogPid: deadPid(),
      parentPid: deadPid(),
      port: stalePort,
      dataDir: null,
      javaTmpDir: stale.javaTmpDir,
    });

    // 2. live owner: parent alive, DynamoDB Local alive → must survive
    const owner = spawnSleeper();
    const livePort = await findFreePort();
    const live = spawnUnprotectedJava(livePort);
    await waitForCmdline(live.pid, livePort);
    const liveFile = writeRecord({
      javaPid: live.pid,
      javaStart: processStartTime(live.pid),
      watchdogPid: deadPid(),
      parentPid: owner,
      parentStart: processStartTime(owner),
      port: livePort,
      dataDir: null,
    });

    // 3. recorded pid reused by something that is not DynamoDB Local → must survive
    const foreign = spawnSleeper();
    const foreignFile = writeRecord({
      javaPid: foreign,
      watchdogPid: deadPid(),
      parentPid: deadPid(),
      port: await findFreePort(),
      dataDir: null,
    });

    const d = await start({ inMemory: true });

    expect(await waitGone(stale.pid, 5_000)).toBe(true);
    expect(existsSync(staleFile)).toBe(false);
    expect(existsSync(stale.javaTmpDir)).toBe(false);
    expect(dynamoProcessesOnPort(stalePort)).toEqual([]);

    expect(isProcessAlive(live.pid)).toBe(true);
    expect(existsSync(liveFile)).toBe(true);

    expect(isProcessAlive(foreign)).toBe(true);
    expect(existsSync(foreignFile)).toBe(false);

    // Once the live owner dies, its DynamoDB Local becomes stale and is reaped too.
    process.kill(owner, 'SIGKILL');
    expect(await waitGone(owner, 5_000)).toBe(true);
    await cleanupStaleDynamoDbLocal();
    expect(await waitGone(live.pid, 5_000)).toBe(true);
    expect(existsSync(liveFile)).toBe(false);

    // The running instance (live parent = this process) was never touched.
    expect(isProcessAlive(d.pid)).toBe(true);
    await d.stop();
    process.kill(foreign, 'SIGKILL');
  });

  it('a stale on-disk pidfile is cleaned by the next start on that dataDir', async () => {
    const dataDir = tempDir('stale-disk');
    const port = await findFreePort();
    const java = spawnUnprotectedJava(port);
    await waitForCmdline(java.pid, port);
    writeFileSync(
      join(dataDir, 'dynamodb-local.pid.json'),
      JSON.stringify({
        version: 1,
        id: 'stale-disk',
        javaPid: java.pid,
        javaStart: processStartTime(java.pid),
        watchdogPid: deadPid(),
        parentPid: deadPid(),
        port,
        dataDir,
        startedAt: new Date().toISOString(),
      } satisfies DynamoDbLocalPidRecord),
    );
    const d = await start({ dataDir });
    expect(await waitGone(java.pid, 5_000)).toBe(true);
    const rec = JSON.parse(readFileSync(join(dataDir, 'dynamodb-local.pid.json'), 'utf8')) as DynamoDbLocalPidRecord;
    expect(rec.javaPid).toBe(d.pid);
    await d.stop();
  });
});

describe('shared test instance (globalSetup)', () => {
  it('testDynamoClient() reaches the injected DynamoDB Local', async () => {
    const client = testDynamoClient();
    const table = uniqueTableName('global setup');
    expect(table).toMatch(/^global-setup-[a-z0-9]+-[0-9a-f]{8}$/);
    await createTable(client, table);
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain(table);
    client.destroy();
  });
});
