// Loads district configs (seeds/districts/<id>.json): read, JSON-parse, validate with the zod schema.
// Every failure is a ConfigError naming the file, the JSON path and what is wrong, one line per issue.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { z } from 'zod';
import { checkDayWarnings } from '../functions/domain/check-days';
import { deployedDistrictConfig, districtConfig, type DeployedDistrictConfig, type DistrictConfig } from '../functions/domain/district-config';

export interface ConfigIssue {
  file: string;
  /** JSON path, e.g. `streets[2].communities[0].checkDays[1]`; empty for the whole document. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    super(formatConfigIssues(file, issues));
    this.file = file;
    this.issues = issues;
  }
}

/** `invalid district config seeds/districts/x.json (2 issues):` then one `file: path: message` line per issue. */
export function formatConfigIssues(file: string, issues: ConfigIssue[]): string {
  const head = `invalid district config ${file} (${issues.length} issue${issues.length === 1 ? '' : 's'}):`;
  return [head, ...issues.map((i) => `  ${i.file}: ${i.path || '(root)'}: ${i.message}`)].join('\n');
}

export function formatConfigError(err: ConfigError): string {
  return formatConfigIssues(err.file, err.issues);
}

/** `streets[2].communities[0].checkDays[1]`; keys that are not identifiers are quoted: `officialYears["2027"]`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      out += /^[A-Za-z_$][\w$]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { found: true, value: cur };
}

// Staff contact details and names are personal data: never echo them into an error (or a log).
const SECRET_LEAF = /^staff\[\d+\]\.(name|phone|email)$/;

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const at = valueAt(raw, issue.path);
  if (issue.code === 'invalid_type' && !at.found) return `missing required field (expected ${issue.expected})`;
  let message = issue.message;
  const path = formatJsonPath(issue.path);
  const v = at.value;
  if (at.found && issue.code !== 'custom' && !SECRET_LEAF.test(path) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
    const shown = typeof v === 'string' ? JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v) : String(v);
    message += ` (got ${shown})`;
  }
  return message;
}

/** Line and column (1-based) of a character offset in text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    let where = '';
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const pos = /position (\d+)/.exec(msg);
    if (lc) where = ` at line ${lc[1]}, column ${lc[2]}`;
    else if (pos) {
      const { line, column } = lineColumn(text, Number(pos[1]));
      where = ` at line ${line}, column ${column}`;
    } else if (/Unexpected end of JSON input/.test(msg)) {
      const { line, column } = lineColumn(text, text.length);
      where = ` at line ${line}, column ${column} (end of file)`;
    }
    throw new ConfigError(file, [{ file, path: '', message: `JSON syntax error${where}: ${msg}` }]);
  }
}

/** Validates already-parsed JSON (e.g. a bundled config); `file` names it in errors and must be `<id>.json`. */
export function parseDistrictConfig(raw: unknown, file: string): DistrictConfig {
  return parseWith(districtConfig, raw, file);
}

/** A deployed config (the district without its staff roster, infra/bundling.ts): `staff` in it is an error. */
export function parseDeployedDistrictConfig(raw: unknown, file: string): DeployedDistrictConfig {
  return parseWith(deployedDistrictConfig, raw, file);
}

function parseWith<T extends { id: string }>(schema: z.ZodType<T>, raw: unknown, file: string): T {
  const result = schema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => ({ file, path: formatJsonPath(issue.path), message: describeIssue(issue, raw) })),
    );
  const config = result.data;
  const issues: ConfigIssue[] = [];
  const expectedId = basename(file).replace(/\.json$/i, '');
  if (config.id !== expectedId) issues.unshift({ file, path: 'id', message: `id "${config.id}" must equal the file name "${expectedId}"` });
  if (issues.length) throw new ConfigError(file, issues);
  return config;
}

export function loadDistrictConfig(file: string): DistrictConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ file, path: '', message: `cannot read: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM from a Windows editor
  const config = parseDistrictConfig(parseJson(text, file), file);
  // Not errors: said once where the config is read, so the district can publish other days.
  for (const w of checkDayWarnings(config)) console.warn(`warning: ${file}: ${w.path}: ${w.message}`);
  return config;
}

/** Every `*.json` in `dir` (relative to the working directory), sorted by id. */
export function loadAllDistricts(dir = 'seeds/districts'): DistrictConfig[] {
  const abs = resolve(dir);
  let names: string[];
  try {
    names = readdirSync(abs).filter((n) => n.endsWith('.json'));
  } catch (err) {
    throw new ConfigError(dir, [{ file: dir, path: '', message: `cannot read directory: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  return names.sort().map((n) => loadDistrictConfig(join(dir, n)));
}
