// Real bundling, once, for the small district: every Lambda asset is one minified ESM file with
// its source map, the AWS SDK inside it (nothing left for the runtime to resolve), only its own
// handler's code, and its own district's config and no other. Then one
// bundle runs in a fresh Node process the way Lambda loads it, and a business rejection comes out
// as an error named CaseRejected (Lambda reports error.name as the errorType Step Functions matches).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coldStart, functionEnvironment } from '../../dev/lambda-cold-start';
import { ensureTable } from '../../functions/store/ensure-table';
import { functionKeys } from '../../functions/workflows/catalog';
import { jobFunctionKeys } from '../../infra/access';
import { dynamoEndpoint, testDynamoClient, uniqueTableName } from '../support/dynamodb';
import { districts, resourcesOfType, synthDistrict, type Synthesized } from './synth';

/** The modules an ESM bundle imports (static `import … from "x"`, `import "x"`, dynamic `import("x")`). */
function importsOf(code: string): string[] {
  const found = [...code.matchAll(/(?:^|[;\n])import\s*(?:(?:\{[^}]*\}|\*\s*as\s*[\w$]+|[\w$]+)(?:\s*,\s*\{[^}]*\})?\s*from\s*)?"([^"]+)"|\bimport\("([^"]+)"\)/g)];
  return [...new Set(found.map((m) => (m[1] ?? m[2])!))];
}

describe('Lambda bundles (yiling, bundled for real)', () => {
  let s: Synthesized;
  const assetDirOf = (fnLogicalId: string): string => {
    const key = String(s.json.Resources[fnLogicalId]!.Properties!.Code.S3Key);
    const dir = join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(existsSync(dir), dir).toBe(true);
    return dir;
  };
  const ours = () =>
    resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Environment?.Variables?.DISTRICT_ID === 'yiling');

  beforeAll(() => {
    s = synthDistrict('yiling', { bundling: true, settings: { dashboardDist: '/nonexistent/shudi-dashboard-dist' } });
    // An esbuild run per function: minutes on a loaded 2-core machine.
  }, 900_000);
  afterAll(() => rmSync(s.outdir, { recursive: true, force: true }));

  it('bundles every function into one minified ESM file with a source map, the SDK inside, no tracing SDK', () => {
    expect(ours()).toHaveLength(functionKeys.length + 1 + jobFunctionKeys.length + (s.stack.exchange ? 2 : 0)); // + the exchange's two
    for (const [id] of ours()) {
      const dir = assetDirOf(id);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      // No tracing code: Lambda's own active tracing records invocations (no X-Ray SDK, no cls-hooked).
      expect(code.includes('AWS_XRAY_DAEMON_ADDRESS') || code.includes('cls-hooked'), `${id} carries the X-Ray SDK`).toBe(false);
      // The SDK's credential chain cut to the environment (infra/bundling.ts): no SSO, ini files or STS client.
      expect(code.includes('Skipping SSO provider in default chain'), `${id} carries the SDK's full credential chain`).toBe(false);
      // No package left to import but Node's own: the SDK is bundled, not the runtime's.
      const leftOver = importsOf(code).filter((x) => !x.startsWith('node:') && !builtinModules.includes(x));
      expect(leftOver, id).toEqual([]);
      // Minified: few, long lines.
      // (deliverMessage carries the SMS providers' SDKs, whose template literals keep their line breaks.)
      expect(code.split('\n').length).toBeLessThan(s.json.Resources[id]!.Properties!.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'shudi-deliverMessage' ? 500 : 200);
      expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(3 * 1024 * 1024);
    }
  });

  it('gives each workflow function only its own handler: no case machines where no case is changed, no DynamoDB client in the planners', () => {
    const codeOf = (service: string) => {
      const fn = ours().find(([, r]) => r.Properties!.Environment.Variables.POWERTOOLS_SERVICE_NAME === service);
      expect(fn, service).toBeDefined();
      return readFileSync(join(assetDirOf(fn![0]), 'index.mjs'), 'utf8');
    };
    // Strings that survive minification: the health-check generator's error text, the case service's recentCommands.
    for (const planner of ['shudi-planObligations', 'shudi-planHealthChecks']) {
      const code = codeOf(planner);
      expect(code.includes('DynamoDBClient'), planner).toBe(false);
    }
    const list = codeOf('shudi-listDueTimers');
    expect(list).toContain('DynamoDBClient');
    expect(list.includes('not a community or unit'), 'listDueTimers carries the health-check generator').toBe(false);
    expect(list.includes('recentCommands'), 'listDueTimers carries the case service').toBe(false);
    expect(codeOf('shudi-fireTimer')).toContain('recentCommands');
    expect(codeOf('shudi-generateHealthChecksPage')).toContain('not a community or unit');
    expect(codeOf('shudi-fireTimer').includes('not a community or unit'), 'fireTimer carries the health-check generator').toBe(false);
  });

  it("carries its own district's territory and no other's, and no staff member of any district: no name, phone or e-mail", () => {
    const own = districts.yiling!;
    const other = districts.chuanhui!;
    const community = own.streets[0]!.communities[0]!;
    const staff = [...own.staff, ...other.staff];
    expect(staff.length).toBeGreaterThan(50);
    for (const [id, r] of ours()) {
      // listDueTimers needs no district config, so it carries none.
      const needsConfig = r.Properties!.Environment.Variables.POWERTOOLS_SERVICE_NAME !== 'shudi-listDueTimers';
      // esbuild writes non-ASCII text as \uXXXX escapes: decode them, so Chinese names are found either way.
      const code = readFileSync(join(assetDirOf(id), 'index.mjs'), 'utf8').replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      // Its own territory is there (a community, by id and name), another district's is not.
      expect(code.includes(community.id) && code.includes(community.name.zh), id).toBe(needsConfig);
      expect(code.includes(other.streets[0]!.name.zh), id).toBe(false);
      for (const member of staff) {
        expect(code.includes(member.phone), `${id}: a staff phone`).toBe(false);
        expect(code.includes(member.email), `${id}: a staff e-mail`).toBe(false);
        expect(code.includes(JSON.stringify(member.name)), `${id}: a staff name`).toBe(false);
      }
    }
    // What was bundled: the derived config in the cloud assembly, without the roster.
    const derived = JSON.parse(readFileSync(join(s.outdir, 'shudi-district-config', s.stack.artifactId, 'yiling.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(derived)).not.toContain('staff');
    expect(derived.id).toBe('yiling');
  });

  it('starts every function in a fresh Node process with its own environment from the template (nothing it needs at cold start is missing)', () => {
    const started: string[] = [];
    for (const [id, r] of ours()) {
      const env = functionEnvironment(r.Properties!.Environment.Variables as Record<string, unknown>, { TABLE_NAME: 'shudi-test-yiling' });
      // Throws with the process's stderr when the import fails (e.g. an environment variable the stack does not set).
      coldStart(join(assetDirOf(id), 'index.mjs'), env);
      started.push(env.POWERTOOLS_SERVICE_NAME!);
    }
    expect(started).toHaveLength(ours().length);
    expect(started).toContain('shudi-syncSubscriptions');
  });

  it("refuses at cold start to run with another district's id: the bundled config is checked against DISTRICT_ID", () => {
    const fn = ours().find(([, r]) => r.Properties!.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'shudi-planObligations')!;
    const env = functionEnvironment(fn[1].Properties!.Environment.Variables as Record<string, unknown>, { TABLE_NAME: 'shudi-test-yiling', DISTRICT_ID: 'chuanhui' });
    expect(() => coldStart(join(assetDirOf(fn[0]), 'index.mjs'), env)).toThrow(/bundled district config is "yiling", not DISTRICT_ID "chuanhui"/);
  });

  it('signs its DynamoDB requests with the credentials Lambda puts in the environment, the one source the bundles keep', async () => {
    const fn = ours().find(([, r]) => r.Properties!.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'shudi-listDueTimers')!;
    const tableName = uniqueTableName('bundles-listDueTimers');
    await ensureTable(testDynamoClient(), tableName);
    const runner = join(s.outdir, 'invoke-list.mjs');
    writeFileSync(
      runner,
      `const { handler } = await import(${JSON.stringify(join(assetDirOf(fn[0]), 'index.mjs'))});
const context = { functionName: 'listDueTimers', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:listDueTimers', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
try { console.log('RESULT ' + JSON.stringify({ ok: await handler({}, context) })); } catch (e) { console.log('RESULT ' + JSON.stringify({ errorName: e.name, message: e.message })); }
`,
    );
    const run = (credentials: Record<string, string>) => {
      const env = functionEnvironment(fn[1].Properties!.Environment.Variables as Record<string, unknown>, {
        TABLE_NAME: tableName,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
        ...credentials,
      });
      const stdout = execFileSync(process.execPath, [runner], { env, encoding: 'utf8', timeout: 30_000 });
      return JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT '))!.slice('RESULT '.length)) as { ok?: unknown; errorName?: string; message?: string };
    };
    // As Lambda sets them for the execution role.
    expect(run({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret', AWS_SESSION_TOKEN: 'example-token' })).toEqual({ ok: { timers: [], more: false } });
    // Without them: at once the environment provider's error (no profile files, no metadata endpoints tried).
    expect(run({}).message).toMatch(/Unable to find environment variable credentials/);
  });

  it('runs in a fresh Node process: planObligations plans, defaults its period, and rejects a bad event as CaseRejected', () => {
    const fn = ours().find(([, r]) => r.Properties!.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'shudi-planObligations');
    expect(fn).toBeDefined();
    const [id, resource] = fn!;
    const dir = assetDirOf(id);
    const runner = join(s.outdir, 'invoke.mjs');
    writeFileSync(
      runner,
      `const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
const context = { functionName: 'planObligations', functionVersion: '$LATEST', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:planObligations', memoryLimitInMB: '512', logGroupName: 'g', logStreamName: 's', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000 };
const out = {};
const call = async (name, event) => { try { out[name] = { ok: await handler(event, context) }; } catch (e) { out[name] = { errorName: e.name, message: e.message }; } };
await call('planned', { kind: 'change_report', period: '2026-03' });
await call('defaulted', { kind: 'unit_notice' });
await call('rejected', { kind: 'nope' });
console.log('RESULT ' + JSON.stringify(out));
`,
    );
    const env = {
      PATH: process.env.PATH ?? '',
      ...(resource.Properties!.Environment.Variables as Record<string, string>),
      TABLE_NAME: 'shudi-test-yiling',
      AWS_REGION: 'ap-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // As in Lambda with active tracing: Powertools in Lambda mode, a trace header and the X-Ray daemon
      // address Lambda sets (loopback here, where nothing listens); the bundle has no tracing code to use them.
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'planObligations',
      LAMBDA_TASK_ROOT: dir,
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    };
    const stdout = execFileSync(process.execPath, [runner], { env, encoding: 'utf8', timeout: 30_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, stdout).toBeDefined();
    const out = JSON.parse(line!.slice('RESULT '.length)) as Record<string, { ok?: any; errorName?: string; message?: string }>;
    expect(out.planned!.ok).toMatchObject({ kind: 'change_report', period: '2026-03' });
    expect(out.planned!.ok.targets.length).toBe(districts.yiling!.streets.flatMap((x) => x.communities).length);
    expect(out.defaulted!.ok.period).toMatch(/^\d{4}-H[12]$/);
    expect(out.rejected).toMatchObject({ errorName: 'CaseRejected' });
    // The planner's schema is zod/mini, with no other zod in its bundle: the message is still zod's English one.
    expect(out.rejected!.message).toContain("kind: Invalid discriminator value. Expected 'change_report' | 'unit_notice'");
    // Powertools wrote its EMF metrics (namespace shudi, district dimension).
    expect(stdout).toMatch(/"Namespace":"shudi".*"TaskRejected"/);
    // The logger never wrote an event or a staff member's phone.
    for (const staff of districts.yiling!.staff) expect(stdout).not.toContain(staff.phone);
  });
});
