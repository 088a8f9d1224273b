// Killed mid-workflow and mid-sweep: the local runtime runs in a child process on DynamoDB Local on
// disk, with its virtual clock in a file; it is killed with SIGKILL right after a Task handler's
// write (its answer never comes), restarted on the same data, and killed again, then left to
// finish. The table it ends with must be the table of the same work done without a kill: no lost
// timer, nothing applied twice, no duplicate reminder, every case in exactly one queue. And no
// Java is left behind by a killed parent.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../dev/local/dynamodb-local';
import { generateSubjects } from '../../dev/seed/generate-subjects';
import { testDocumentClient } from '../support/dynamodb';
import { KILL_START, killDistrict, memoryJournal, runKillScenario } from './fixtures/kill-scenario';
import { reliabilityRuntime } from './support/runtime';
import { countOf, differences, invariantViolations, readTable, tableView, type TableView } from './support/table';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const runner = join(repoRoot, 'test/reliability/fixtures/kill-runner.ts');
const SUBJECTS = 40;
const temp: string[] = [];
const strays = new Set<number>();

// Only what this file started and did not see exit (a failed test): never a pid seen gone.
afterAll(() => {
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

interface ChildRun {
  killed: boolean;
  javaPid: number;
  watchdogPid: number;
  port: number;
  calls: Record<string, number>;
  killedAt?: { key: string; n: number };
  ms: number;
}

/** Runs the fixture; with `killAt`, SIGKILLs it as soon as it says the K-th call of that handler returned. */
function runChild(dir: string, killAt?: { key: string; n: number }): Promise<ChildRun> {
  const opts = { dataDir: join(dir, 'ddb'), clockFile: join(dir, 'clock'), journalFile: join(dir, 'journal'), dumpFile: join(dir, 'dump.json'), tableName: 'shudi-kill', subjects: SUBJECTS, ...(killAt ? { killAt } : {}) };
  const t0 = Date.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, JSON.stringify(opts)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) strays.add(child.pid);
    const run: ChildRun = { killed: false, javaPid: 0, watchdogPid: 0, port: 0, calls: {}, ms: 0 };
    let buf = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture did not finish in 90 s; stderr: ${err.slice(-2000)}`));
    }, 90_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{"event"')) continue;
        const e = JSON.parse(line) as { event: string; pid?: number; watchdogPid?: number; port?: number; key?: string; n?: number; calls?: Record<string, number> };
        if (e.event === 'dynamo') {
          Object.assign(run, { javaPid: e.pid!, watchdogPid: e.watchdogPid!, port: e.port! });
          strays.add(e.pid!);
          strays.add(e.watchdogPid!);
        } else if (e.event === 'call') run.calls[e.key!] = e.n!;
        else if (e.event === 'killme') {
          run.killed = true;
          run.killedAt = { key: e.key!, n: e.n! };
          child.kill('SIGKILL');
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (child.pid) strays.delete(child.pid);
      run.ms = Date.now() - t0;
      if (run.killed && signal === 'SIGKILL') resolveRun(run);
      else if (!run.killed && code === 0) resolveRun(run);
      else reject(new Error(`fixture exited (code ${code}, signal ${signal}) unexpectedly; stderr: ${err.slice(-3000)}`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function gone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (isProcessAlive(pid)) {
    if (Date.now() > until) return false;
    await sleep(50);
  }
  return true;
}

/** Processes whose command line is DynamoDB Local with its data in `dir`. */
function javaUsing(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('DynamoDBLocal') && cmd.includes(dir)) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('killed with SIGKILL mid-workflow and mid-sweep, restarted on the same data', () => {
  let reference: TableView;

  it('reference: the same work in one go, without a kill', async () => {
    const config = killDistrict(SUBJECTS);
    const rt = await reliabilityRuntime(KILL_START, { config });
    await runKillScenario(rt, memoryJournal(), generateSubjects(config, { seed: config.register.seed }).map((s) => s.subjectId));
    reference = await readTable(testDocumentClient(), rt.tableName);
    expect(invariantViolations(reference)).toEqual([]);
    console.log(`[kill] reference: ${JSON.stringify(countOf(reference))}`);
  });

  it('killed after the 2nd health-check page, then after the 50th timer fired, then finished: the same table, no Java left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shudi-kill-'));
    temp.push(dir);
    const runs: ChildRun[] = [];
    for (const killAt of [{ key: 'generateHealthChecksPage', n: 2 }, { key: 'fireTimer', n: 50 }, undefined]) {
      const run = await runChild(dir, killAt);
      runs.push(run);
      // The parent is gone: its DynamoDB Local must follow (the watchdog sees the pipe close).
      expect(await gone(run.javaPid, 20_000), `java ${run.javaPid} outlived its parent`).toBe(true);
      strays.delete(run.javaPid); // gone: never signal that pid again (it may be reused)
      expect(await gone(run.watchdogPid, 5_000)).toBe(true);
      strays.delete(run.watchdogPid);
      expect(javaUsing(dir)).toEqual([]);
      if (killAt) expect(run.killedAt).toEqual(killAt);
    }
    const dump = JSON.parse(readFileSync(join(dir, 'dump.json'), 'utf8')) as { items: Record<string, unknown>[]; queueIndex: Record<string, unknown>[] };
    const got = tableView(dump.items, dump.queueIndex);
    console.log(
      `[kill] ${runs.map((r, i) => `run ${i + 1}: ${r.killed ? `killed after ${r.killedAt!.key} #${r.killedAt!.n}` : 'finished'} in ${r.ms} ms, handler calls ${JSON.stringify(r.calls)}, java ${r.javaPid} gone`).join('; ')}; ` +
        `final ${JSON.stringify(countOf(got))}`,
    );
    expect(invariantViolations(got)).toEqual([]);
    // The killed-and-restarted run redid the interrupted work, so it ended exactly where one run did.
    expect(differences(reference, got)).toEqual([]);
    // Sanity: the kills happened where they were meant to, with work left to do after them.
    expect(runs[1]!.calls.generateHealthChecksPage).toBeGreaterThan(0); // the job was redone after kill 1
    expect(runs[2]!.calls.fireTimer ?? 0).toBeGreaterThan(0); // the sweep went on after kill 2
  }, 240_000);
});
