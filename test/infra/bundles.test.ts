// Real bundling, once, for the small district: every Lambda asset is one minified ESM file with
// its source map, the AWS SDK inside it, and its own district's config and no other. Then one
// bundle runs in a fresh Node process the way Lambda loads it, and a business rejection comes out
// as an error named CaseRejected (Lambda reports error.name as the errorType Step Functions matches).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionKeys } from '../../functions/workflows/catalog';
import { jobFunctionKeys } from '../../infra/access';
import { districts, resourcesOfType, synthDistrict, type Synthesized } from './synth';

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
  }, 120_000);
  afterAll(() => rmSync(s.outdir, { recursive: true, force: true }));

  it('bundles every function into one minified ESM file with a source map, the SDK inside', () => {
    expect(ours()).toHaveLength(functionKeys.length + 1 + jobFunctionKeys.length + (s.stack.exchange ? 2 : 0)); // + the exchange's two
    for (const [id] of ours()) {
      const dir = assetDirOf(id);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      // Bundled, not external: no import of an SDK package is left for the runtime to resolve
      // (the SDK's own error text quotes `[require("@aws-sdk/signature-v4-crt");]` and
      // `[import "@aws-sdk/signature-v4-crt";]`, in brackets: not code).
      const external = /(?<!\[)(?:from\s*|import\s*\(?\s*|require\()"@aws-sdk\/[^"]+"/.exec(code);
      expect(external?.[0] ?? null, id).toBeNull();
      expect(code.includes('DynamoDBClient') || code.includes('dynamodb'), id).toBe(true);
      // Minified: few, long lines.
      expect(code.split('\n').length).toBeLessThan(200);
      expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(3 * 1024 * 1024);
    }
  });

  it("carries its own district's config and no other district's", () => {
    const yilingStaff = districts.yiling!.staff[0]!;
    const chuanhuiStaff = districts.chuanhui!.staff[0]!;
    for (const [id] of ours()) {
      const code = readFileSync(join(assetDirOf(id), 'index.mjs'), 'utf8');
      expect(code.includes(yilingStaff.phone), id).toBe(true);
      expect(code.includes(chuanhuiStaff.phone), id).toBe(false);
    }
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
      // As in Lambda: Powertools and the X-Ray SDK in Lambda mode (segments go to the daemon
      // address over UDP: loopback here, where nothing listens).
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
    // Powertools wrote its EMF metrics (namespace shudi, district dimension).
    expect(stdout).toMatch(/"Namespace":"shudi".*"TaskRejected"/);
    // The logger never wrote an event or a staff member's phone.
    for (const staff of districts.yiling!.staff) expect(stdout).not.toContain(staff.phone);
  });
});
