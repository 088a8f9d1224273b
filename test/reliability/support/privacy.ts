// Finding personal data where it must not be: given recognisable strings (names, phone numbers,
// ID numbers, e-mail addresses) and captured texts (log lines, sink messages, outbox items, error
// responses), report every place one of them appears, in the spellings it could take there.
//
// - A needle is found as written, JSON-escaped (\uXXXX), URL-encoded, and for phone numbers and ID
//   numbers with any spacing or dashes between digits, with or without +86 / 0086, ID numbers
//   with x or X. A masked form (139****0006) is not a hit: that is what masking is for.
// - With `patterns`, also anything shaped like a Chinese mobile number, a resident ID number or an
//   e-mail address, for personal data the test did not know to look for.
import { Console } from 'node:console';
import { Writable } from 'node:stream';

export interface Needle {
  /** What it is (name, phone, id_number, email …): shown in a hit, never the value alone. */
  label: string;
  value: string;
}

export interface CapturedText {
  /** Where the text came from: `log`, `sms:co-east-a-1`, `outbox:<id>`, `history:<case>#3` … */
  source: string;
  text: string;
}

export interface Hit {
  source: string;
  label: string;
  /** The text as found, masked in the middle so a failing test does not print it whole. */
  found: string;
  /** Some context around it, masked the same way. */
  excerpt: string;
}

export type PatternName = 'cn_mobile' | 'cn_id_number' | 'email';

const PATTERNS: Record<PatternName, RegExp> = {
  cn_mobile: /(?<![\dA-Za-z*])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?![\dA-Za-z*])/g,
  cn_id_number: /(?<![\dA-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g,
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The regular expressions a needle is searched with. */
function needlePatterns(value: string): RegExp[] {
  const out = new Set<string>();
  const digits = value.replace(/[^\dXx]/g, '');
  const digitLike = digits.length >= 7 && digits.length >= value.replace(/[\s+()-]/g, '').length - 1;
  if (digitLike) {
    // A phone or ID number: the significant digits with optional separators, optional country code.
    const core = digits.replace(/^(?:0086|86)(?=1\d{10}$)/, '');
    const body = core
      .split('')
      .map((d) => (/[Xx]/.test(d) ? '[Xx]' : d))
      .join('[\\s-]?');
    out.add(`(?<![\\dA-Za-z])(?:(?:\\+|00)?86[\\s-]?)?${body}(?![\\dA-Za-z])`);
  }
  out.add(escapeRe(value));
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) out.add(escapeRe(json));
  const ascii = value.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== value) {
    out.add(escapeRe(ascii));
    out.add(escapeRe(ascii.toUpperCase().replace(/\\U/g, '\\u')));
  }
  const url = encodeURIComponent(value);
  if (url !== value) out.add(escapeRe(url));
  return [...out].map((p) => new RegExp(p, 'g'));
}

function mask(s: string): string {
  if (s.length <= 4) return '*'.repeat(s.length);
  const keep = Math.max(1, Math.floor(s.length / 4));
  return `${s.slice(0, keep)}${'*'.repeat(s.length - 2 * keep)}${s.slice(-keep)}`;
}

export function scanTexts(opts: { needles: readonly Needle[]; patterns?: readonly PatternName[] }, texts: readonly CapturedText[]): Hit[] {
  const hits: Hit[] = [];
  const compiled = opts.needles.filter((n) => n.value.trim() !== '').map((n) => ({ label: n.label, res: needlePatterns(n.value) }));
  for (const t of texts) {
    const found = new Set<string>();
    const add = (label: string, m: RegExpExecArray) => {
      const key = `${label}@${m.index}`;
      if (found.has(key)) return;
      found.add(key);
      const from = Math.max(0, m.index - 30);
      hits.push({ source: t.source, label, found: mask(m[0]), excerpt: maskAll(t.text.slice(from, m.index + m[0].length + 30)) });
    };
    // An excerpt shows no needle and nothing pattern-shaped in clear, whatever the hit it is for.
    const maskAll = (text: string) => [...compiled.flatMap((n) => n.res), ...Object.values(PATTERNS)].reduce((acc, re) => acc.replace(new RegExp(re.source, 'g'), (x) => mask(x)), text);
    for (const n of compiled) for (const re of n.res) for (const m of t.text.matchAll(re)) add(n.label, m as RegExpExecArray);
    for (const p of opts.patterns ?? []) for (const m of t.text.matchAll(PATTERNS[p])) add(`pattern:${p}`, m as RegExpExecArray);
  }
  return hits;
}

/**
 * Captures what the process writes while `fn` runs: process.stdout/stderr writes (Powertools'
 * logger and metrics write there) and console.* calls, one captured text per line.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; lines: CapturedText[] }> {
  const lines: CapturedText[] = [];
  const push = (source: string, chunk: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    for (const line of text.split('\n')) if (line.trim() !== '') lines.push({ source, text: line });
  };
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const sink = new Console({ stdout: new Writable({ write: (c, _e, cb) => (push('console', c), cb()) }), stderr: new Writable({ write: (c, _e, cb) => (push('console', c), cb()) }) });
  process.stdout.write = ((chunk: unknown) => (push('stdout', chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (push('stderr', chunk), true)) as typeof process.stderr.write;
  console.log = sink.log.bind(sink);
  console.info = sink.info.bind(sink);
  console.warn = sink.warn.bind(sink);
  console.error = sink.error.bind(sink);
  console.debug = sink.debug.bind(sink);
  try {
    const result = await fn();
    return { result, lines };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    Object.assign(console, saved);
  }
}
