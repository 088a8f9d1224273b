// The local stand-in for SMS and e-mail: what would have been sent, to whom, when and by which channel. It keeps
// the messages in memory (and, with a path, appends them to a JSON-lines file, .data/outbox.jsonl under `npm start`),
// prints one line per message without the address, and drops a dedupe key it has seen on that channel - as the
// receiving side on AWS does - so a retried publish reaches nobody twice. `list()` feeds the dashboard's Outbox page.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Language } from '../domain/district-config';
import { maskPhone, type DeliveryChannel } from '../domain/reminders';
import type { Instant } from '../domain/time';
import type { DeliveryResult, Notifier, OutboundMessage } from './notifier';

export interface SinkRecord {
  at: Instant;
  channel: DeliveryChannel;
  staffId: string;
  orgUnitId: string;
  kind: string;
  language: Language;
  dedupeKey: string;
  /** The address, masked: `+86139****0006`, `c***@example.cn`. */
  to: string;
  subject?: string;
  text: string;
  caseId?: string;
}

export interface LocalSinkOptions {
  /** Append each message to this JSON-lines file (created with its folder); the messages in it are loaded first. */
  path?: string;
  /** Print one line per message: true → console.log, or a function of your own. Default: no printing. */
  print?: boolean | ((line: string) => void);
}

export function maskAddress(channel: DeliveryChannel, to: string): string {
  if (channel === 'sms') return maskPhone(to);
  const at = to.indexOf('@');
  return at > 0 ? `${to[0]}***${to.slice(at)}` : '***';
}

/** `2026-03-11 08:00` in Asia/Shanghai. */
function localTime(at: Instant): string {
  return new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export function sinkLine(r: SinkRecord): string {
  const text = r.text.replace(/\s+/g, ' ');
  return `[outbox] ${localTime(r.at)} ${r.channel.padEnd(5)} → ${r.staffId} ${r.kind} (${r.language}) ${text.length > 90 ? `${text.slice(0, 89)}…` : text}`;
}

export class LocalSink implements Notifier {
  private readonly records: SinkRecord[] = [];
  private readonly seen = new Set<string>();
  /** Every send call, duplicates included (tests compare it with what was delivered). */
  sendCalls = 0;
  duplicatesDropped = 0;
  private readonly print?: (line: string) => void;

  constructor(private readonly opts: LocalSinkOptions = {}) {
    this.print = opts.print === true ? (line) => console.log(line) : typeof opts.print === 'function' ? opts.print : undefined;
    if (opts.path && existsSync(opts.path)) {
      for (const line of readFileSync(opts.path, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const r = JSON.parse(line) as SinkRecord;
          this.records.push(r);
          this.seen.add(`${r.dedupeKey}#${r.channel}`);
        } catch {
          // a torn last line from a crash: skip it
        }
      }
    }
  }

  async send(m: OutboundMessage): Promise<DeliveryResult> {
    this.sendCalls++;
    const key = `${m.dedupeKey}#${m.channel}`;
    if (this.seen.has(key)) {
      this.duplicatesDropped++;
      return { status: 'duplicate' };
    }
    const r: SinkRecord = {
      at: m.at,
      channel: m.channel,
      staffId: m.staffId,
      orgUnitId: m.orgUnitId,
      kind: m.kind,
      language: m.language,
      dedupeKey: m.dedupeKey,
      to: maskAddress(m.channel, m.to),
      ...(m.subject !== undefined ? { subject: m.subject } : {}),
      text: m.text,
      ...(m.caseId !== undefined ? { caseId: m.caseId } : {}),
    };
    if (this.opts.path) {
      mkdirSync(dirname(this.opts.path), { recursive: true });
      appendFileSync(this.opts.path, `${JSON.stringify(r)}\n`);
    }
    this.seen.add(key);
    this.records.push(r);
    this.print?.(sinkLine(r));
    return { status: 'sent', providerId: `local-${this.records.length}` };
  }

  /** What was sent, newest first (for GET /dev/outbox and the dashboard's Outbox page). */
  list(filter: { staffId?: string; channel?: DeliveryChannel; kind?: string; since?: Instant; limit?: number } = {}): SinkRecord[] {
    const out: SinkRecord[] = [];
    for (let i = this.records.length - 1; i >= 0 && out.length < (filter.limit ?? Infinity); i--) {
      const r = this.records[i]!;
      if (filter.staffId && r.staffId !== filter.staffId) continue;
      if (filter.channel && r.channel !== filter.channel) continue;
      if (filter.kind && r.kind !== filter.kind) continue;
      if (filter.since && r.at < filter.since) continue;
      out.push(r);
    }
    return out;
  }

  /** Everything sent, oldest first. */
  all(): readonly SinkRecord[] {
    return this.records;
  }
}
