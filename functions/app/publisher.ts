// The publisher: delivers the outbox items that are due (urgent notices and daily digests), once.
//
// For each due item, in order:
//   1. quiet hours: the recipient may not be reached now → the item's sendAfter moves to the end of her quiet hours
//      (a conditional write); nothing is sent;
//   2. claim: pending → sending, with an attempt id and a lease (conditional on the item being as read). A second
//      publisher loses the claim; a publisher that crashes after it leaves the item claimed until the lease ends,
//      when the item is due again (its due-index key is the lease's end) and the next run claims it anew;
//   3. relevance: a notice about a case no longer open is marked skipped, not sent;
//   4. send, per channel of the staff member's preference, rendered in her language, with the item's dedupe key:
//      the same key on every retry, so the receiving side (the local sink, the SMS gateway subscriber) drops a
//      repeat and a person gets each reminder once;
//   5. mark: sending → sent (or failed), conditional on the attempt id, with a TTL so DynamoDB removes it later.
// A transient failure releases the item with back-off; after MAX_ATTEMPTS it is marked failed.
import { createHash } from 'node:crypto';
import type { Notifier, OutboundMessage } from '../adapters/notifier';
import type { Clock } from '../domain/clock';
import type { CaseType } from '../domain/case';
import { caseTypes } from '../domain/case';
import { renderDigest, renderMessage, type DigestLists, type RenderedMessage } from '../domain/message-templates';
import type { Staff, UndeliverableFlag } from '../domain/people';
import {
  DEFAULT_QUIET_HOURS,
  DIGEST_TEMPLATE,
  channelsFor,
  digestDedupeKey,
  isE164,
  isEmail,
  nextAllowedSend,
  outboxDedupeKey,
  retryDelayMs,
  stillRelevant,
  type DeliveryChannel,
} from '../domain/reminders';
import type { Instant } from '../domain/time';
import type { Case } from '../domain/case';
import type { OutboxItem } from '../store/keys';
import { expiresAtFor, type OutboxStore } from '../store/outbox-store';

export type PublishStep = 'before_claim' | 'after_claim' | 'after_send' | 'after_mark';
export type ItemOutcome = 'sent' | 'skipped' | 'failed' | 'deferred' | 'retry' | 'lost' | 'not_due';

export interface PublisherDeps {
  outbox: OutboxStore;
  cases: { get(caseId: string, consistent?: boolean): Promise<Case | undefined> };
  register: { getStaff(staffId: string): Promise<Staff | undefined> };
  notifier: Notifier;
  clock: Clock;
  /** The dashboard's base URL, for the links in messages. Default: SHUDI_DASHBOARD_URL or http://localhost:3000. */
  dashboardUrl?: string;
  /** How long a claim holds (default 5 minutes). */
  leaseMs?: number;
  /** Attempts before an item that keeps failing transiently is marked failed (default 8). */
  maxAttempts?: number;
  /** Fault injection (tests): called at each step; a throw is a crash there. */
  fault?: (step: PublishStep, item: OutboxItem) => void | Promise<void>;
  /** One line per failure worth a look (never an address). */
  log?: (line: string) => void;
}

export interface PublishReport {
  due: number;
  outcomes: Record<ItemOutcome, number>;
  /** Messages the notifier accepted (per channel), and those it dropped as duplicates. */
  messages: number;
  duplicates: number;
}

export const DEFAULT_DASHBOARD_URL = 'http://localhost:3000';
export const dashboardUrlFromEnv = (): string => (process.env.SHUDI_DASHBOARD_URL || DEFAULT_DASHBOARD_URL).replace(/\/+$/, '');

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 16);

export class Publisher {
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly dashboardUrl: string;

  constructor(private readonly deps: PublisherDeps) {
    this.leaseMs = deps.leaseMs ?? 5 * 60_000;
    this.maxAttempts = deps.maxAttempts ?? 8;
    this.dashboardUrl = (deps.dashboardUrl ?? dashboardUrlFromEnv()).replace(/\/+$/, '');
  }

  /**
   * Delivers every item due at `now` (default: the clock), a page at a time. A crash (a throw from the store or an
   * injected fault) ends the run; whatever it left half-done is due again later and finished then.
   */
  async publishDue(now: Instant = this.deps.clock.now().toISOString(), opts: { maxItems?: number } = {}): Promise<PublishReport> {
    const report: PublishReport = { due: 0, outcomes: { sent: 0, skipped: 0, failed: 0, deferred: 0, retry: 0, lost: 0, not_due: 0 }, messages: 0, duplicates: 0 };
    const max = opts.maxItems ?? 5_000;
    const seen = new Set<string>();
    for (let round = 0; round < 50 && report.due < max; round++) {
      const due = (await this.deps.outbox.due(now, 100)).filter((i) => !seen.has(`${i.outboxId}|${i.state}|${i.attemptId ?? ''}`));
      if (due.length === 0) break;
      for (const item of due) {
        seen.add(`${item.outboxId}|${item.state}|${item.attemptId ?? ''}`);
        report.due++;
        report.outcomes[await this.publishOne(item, now, report)]++;
      }
    }
    return report;
  }

  /** One item through the steps above. */
  async publishOne(item: OutboxItem, now: Instant, report?: PublishReport): Promise<ItemOutcome> {
    const { outbox, fault } = this.deps;
    const dueAt = item.state === 'sending' ? (item.leaseUntil ?? item.sendAfter) : item.sendAfter;
    if (dueAt > now || !(item.state === 'pending' || item.state === 'sending') || item.delivery === 'digest') return 'not_due';
    const staff = await this.deps.register.getStaff(item.staffId);
    await fault?.('before_claim', item);

    // 1. Quiet hours.
    if (staff) {
      const allowed = nextAllowedSend(now, staff.quietHours ?? DEFAULT_QUIET_HOURS);
      if (allowed > now) {
        const { attemptId: _a, leaseUntil: _l, ...rest } = item;
        return (await outbox.replace(item, { ...rest, state: 'pending', sendAfter: allowed })) ? 'deferred' : 'lost';
      }
    }

    // 2. Claim.
    const attempts = (item.attempts ?? 0) + 1;
    const claimed: OutboxItem = {
      ...item,
      state: 'sending',
      attempts,
      attemptId: hash(`${item.outboxId}|${attempts}|${now}`),
      leaseUntil: new Date(Date.parse(now) + this.leaseMs).toISOString(),
    };
    if (!(await outbox.replace(item, claimed))) return 'lost';
    await fault?.('after_claim', claimed);

    const finish = async (state: 'sent' | 'skipped' | 'failed', outcome: string, channels: DeliveryChannel[] = []): Promise<ItemOutcome> => {
      const { leaseUntil: _l, ...rest } = claimed;
      const done: OutboxItem = { ...rest, state, doneAt: now, channels, outcome, expiresAt: expiresAtFor(now) };
      if (!(await outbox.replace(claimed, done))) return 'lost';
      await fault?.('after_mark', done);
      return state;
    };

    // 3. Still worth telling?
    if (!staff) return finish('failed', 'no_staff');
    if (item.caseId && item.delivery !== 'summary') {
      const c = await this.deps.cases.get(item.caseId, true);
      if (!stillRelevant(item.template, c?.status)) return finish('skipped', c ? `case_${c.status}` : 'case_missing');
    }
    const wanted = channelsFor(staff.channel);
    if (wanted.length === 0) return finish('skipped', 'channel_none');
    const flagged = new Set((staff.undeliverable ?? []).map((f) => f.channel));
    const usable: DeliveryChannel[] = [];
    for (const ch of wanted) {
      if (flagged.has(ch)) continue;
      const valid = ch === 'sms' ? isE164(staff.phone) : isEmail(staff.email);
      if (!valid) {
        await this.flag(staff.staffId, { channel: ch, reason: ch === 'sms' ? 'invalid_phone' : 'invalid_email', at: now });
        continue;
      }
      usable.push(ch);
    }
    if (usable.length === 0) return finish('failed', 'undeliverable');

    // 4. Send.
    const delivered: DeliveryChannel[] = [];
    let rejected: string | undefined;
    for (const ch of usable) {
      let rendered: RenderedMessage;
      try {
        rendered = this.render(item, ch, staff);
      } catch (err) {
        this.deps.log?.(`[publisher] ${item.outboxId} ${item.template}: cannot render (${(err as Error).name}: ${(err as Error).message})`);
        return finish('failed', 'render_error');
      }
      const message: OutboundMessage = {
        dedupeKey: this.dedupeKeyOf(item),
        channel: ch,
        staffId: staff.staffId,
        orgUnitId: staff.orgUnitId,
        kind: item.template,
        language: staff.language,
        to: ch === 'sms' ? staff.phone : staff.email,
        ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
        ...(rendered.asciiSubject !== undefined ? { asciiSubject: rendered.asciiSubject } : {}),
        text: rendered.text,
        params: this.paramsOf(item),
        ...(item.caseId ? { caseId: item.caseId } : {}),
        at: now,
      };
      let result;
      try {
        result = await this.deps.notifier.send(message);
      } catch (err) {
        // Worth a retry: release with back-off (a channel that went out already is dropped as a duplicate then).
        this.deps.log?.(`[publisher] ${item.outboxId} ${ch}: ${(err as Error).name}, attempt ${attempts}`);
        if (attempts >= this.maxAttempts) return finish(delivered.length ? 'sent' : 'failed', delivered.length ? 'partial' : 'gave_up', delivered);
        const { attemptId: _a, leaseUntil: _l, ...rest } = claimed;
        const retryAt = nextAllowedSend(new Date(Date.parse(now) + retryDelayMs(attempts)).toISOString(), staff.quietHours ?? DEFAULT_QUIET_HOURS);
        return (await outbox.replace(claimed, { ...rest, state: 'pending', sendAfter: retryAt })) ? 'retry' : 'lost';
      }
      if (result.status === 'sent' || result.status === 'duplicate') {
        delivered.push(ch);
        if (report) result.status === 'sent' ? report.messages++ : report.duplicates++;
      } else if (result.status === 'undeliverable') {
        await this.flag(staff.staffId, { channel: ch, reason: result.reason, at: now });
      } else rejected = result.reason;
    }
    await fault?.('after_send', claimed);

    // 5. Mark.
    return delivered.length ? finish('sent', 'sent', delivered) : finish('failed', rejected ?? 'undeliverable');
  }

  dedupeKeyOf(item: OutboxItem): string {
    return item.template === DIGEST_TEMPLATE && typeof item.params.date === 'string' ? digestDedupeKey(item.staffId, item.params.date) : outboxDedupeKey(item.outboxId);
  }

  /** The template params a provider's approved template needs: the item's own (dates, counts), never the link. */
  private paramsOf(item: OutboxItem): Record<string, string | number> {
    return { ...item.params };
  }

  private render(item: OutboxItem, channel: DeliveryChannel, staff: Staff): RenderedMessage {
    if (item.template === DIGEST_TEMPLATE) {
      const p = item.params;
      const n = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : 0);
      const lists = item.lines ? toLists(item.lines) : undefined;
      return renderDigest(
        channel,
        staff.language,
        { date: String(p.date), dueToday: n('dueToday'), dueSoon: n('dueSoon'), overdue: n('overdue'), newHandovers: n('newHandovers'), updates: n('updates'), link: `${this.dashboardUrl}/#/queue` },
        lists,
      );
    }
    const link = channel === 'email' && item.caseId ? `${this.dashboardUrl}/#/case/${encodeURIComponent(item.caseId)}` : `${this.dashboardUrl}/#/queue`;
    return renderMessage(item.template, channel, staff.language, { ...item.params, link, ...(channel === 'email' && item.caseId ? { caseId: item.caseId } : {}) });
  }

  private async flag(staffId: string, flag: UndeliverableFlag): Promise<void> {
    if (await this.deps.outbox.flagUndeliverable(staffId, flag)) this.deps.log?.(`[publisher] ${staffId}: ${flag.channel} undeliverable (${flag.reason})`);
  }
}

function toLists(lines: NonNullable<OutboxItem['lines']>): DigestLists {
  const pick = (k: string) =>
    (lines[k] ?? []).map((l) => ({ caseId: l.caseId, dueDate: l.dueDate, ...(l.caseType && (caseTypes as readonly string[]).includes(l.caseType) ? { caseType: l.caseType as CaseType } : {}) }));
  return { overdue: pick('overdue'), today: pick('today'), soon: pick('soon'), newHandovers: pick('newHandovers') };
}
