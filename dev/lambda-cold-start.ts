// A Lambda bundle started the way the Lambda runtime starts it: a fresh `node` process that imports the bundle with
// the function's own environment from the synthesized template. bench/bundles.bench.ts times it;
// test/infra/bundles.test.ts starts every function once, so an environment variable the stack forgets to set (or
// any other failure at cold start) fails a test instead of a deployed function.
import { execFileSync } from 'node:child_process';

/**
 * An environment value of the template as a string: CloudFormation's Ref and GetAtt become placeholder names and
 * Fn::Join joins its parts, so a value the stack builds as JSON (SHUDI_DEPARTMENT_SECRETS) stays JSON.
 */
export function placeholderValue(v: unknown, name: string): string {
  if (typeof v === 'string') return v;
  const o = (v ?? {}) as Record<string, unknown>;
  if ('Ref' in o) return `placeholder-${String(o.Ref).toLowerCase()}`;
  if ('Fn::GetAtt' in o) return `arn:aws:placeholder:ap-east-1:000000000000:${String((o['Fn::GetAtt'] as unknown[])[0]).toLowerCase()}`;
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p, i) => placeholderValue(p, `${name}-${i}`)).join(sep);
  }
  return name;
}

/** The function's environment as the template sets it (placeholders for what CloudFormation resolves), plus a region. */
export function functionEnvironment(variables: Record<string, unknown>, overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', AWS_REGION: 'ap-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const [k, v] of Object.entries(variables)) env[k] = placeholderValue(v, `placeholder-${k.toLowerCase()}`);
  return { ...env, ...overrides };
}

/**
 * One cold start: a fresh node process imports the bundle; initMs is the time from just before `import()` to the
 * handler export (parse, compile and top-level work), processMs the whole process. Throws with the process's
 * stderr if the import fails or exports no handler. `sourceMaps: false` drops --enable-source-maps from NODE_OPTIONS.
 */
export function coldStart(bundle: string, env: Record<string, string>, opts: { sourceMaps?: boolean } = {}): { initMs: number; processMs: number } {
  const probe = `const t0 = performance.now(); const m = await import(${JSON.stringify(bundle)}); const t1 = performance.now();
if (typeof m.handler !== 'function') throw new Error('no handler export');
process.stdout.write('INIT ' + (t1 - t0) + '\\n');`;
  const nodeOptions = opts.sourceMaps === false ? (env.NODE_OPTIONS ?? '').replace('--enable-source-maps', '').trim() : (env.NODE_OPTIONS ?? '');
  const started = performance.now();
  let out: string;
  try {
    out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
      env: { ...env, NODE_OPTIONS: nodeOptions },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    throw new Error(`${bundle} failed at cold start:\n${stderr.split('\n').slice(0, 12).join('\n')}`);
  }
  const processMs = performance.now() - started;
  const line = out.split('\n').find((l) => l.startsWith('INIT '));
  if (!line) throw new Error(`no INIT line from ${bundle}: ${out.slice(0, 500)}`);
  return { initMs: Number(line.slice(5)), processMs };
}
