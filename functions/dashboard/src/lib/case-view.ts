// Case fields and history entries as text, in the reader's language. Pure: given a translator and org names.
import type { Case, HistoryEntry } from '../api/types';
import { hasKey, type MessageKey, type Translator } from '../i18n';
import { formatDate, formatInstant, formatMonth } from './dates';

export type OrgName = (id: string) => string;

const orgKeys = new Set(['communityId', 'unitId', 'fromOrgUnitId', 'toCommunityId', 'rejectedBy', 'previousOwnerOrgUnitId']);
const enumKeys: Record<string, string> = { subjectClass: 'class', reason: 'reason', trigger: 'trigger', task: 'task', outcome: 'outcome', fromKind: 'level' };
const instantKeys = new Set(['rerouteDueAt', 'districtDueAt']);

/** One `data` entry of a case: its label and its value as text. */
export function dataEntry(key: string, value: string | number | boolean, tr: Translator, orgName: OrgName): { label: string; value: string } {
  const labelKey = `data.${key}`;
  const label = hasKey(labelKey) ? tr.t(labelKey) : key;
  let text: string;
  if (typeof value === 'boolean') text = value ? tr.t('app.yes') : tr.t('app.no');
  else if (typeof value === 'number') text = String(value);
  else if (orgKeys.has(key)) text = orgName(value);
  else if (enumKeys[key]) text = tr.te(enumKeys[key], value);
  else if (instantKeys.has(key)) text = formatInstant(value, tr.lang);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(value)) text = formatDate(value, tr.lang);
  else if (/^\d{4}-\d{2}$/.test(value)) text = formatMonth(value, tr.lang);
  else if (key === 'remindersSent') text = value.split(',').filter(Boolean).map((k) => reminderName(k, tr)).join(tr.lang === 'zh-CN' ? '、' : ', ');
  else text = value;
  return { label, value: text };
}

/** The data entries worth showing, in a stable order (known keys first, in catalog order). */
export function dataEntries(c: Pick<Case, 'data'>, tr: Translator, orgName: OrgName): { key: string; label: string; value: string }[] {
  const keys = Object.keys(c.data ?? {});
  const rank = (k: string) => {
    const i = knownOrder.indexOf(k);
    return i < 0 ? knownOrder.length : i;
  };
  return keys
    .filter((k) => c.data[k] !== '' && c.data[k] !== null && c.data[k] !== undefined)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((k) => ({ key: k, ...dataEntry(k, c.data[k]!, tr, orgName) }));
}

const knownOrder = [
  'reason', 'separationDate', 'fromOrgUnitId', 'fromKind', 'toCommunityId', 'subjectClass', 'communityId', 'unitId',
  'trigger', 'eventDate', 'windowStart', 'windowEnd', 'attempt', 'task', 'startDate', 'cadence', 'perYear', 'period',
  'periodStart', 'periodEnd', 'checkDay', 'month', 'outcome', 'outcomeDate', 'acknowledgedOn', 'receivedOn',
  'rejections', 'rejectedBy', 'reassignments', 'previousOwnerOrgUnitId', 'rerouteDueDate', 'rerouteDueAt',
  'overdue', 'overdueSince', 'districtDueAt', 'remindersSent',
];

export interface HistoryLine {
  seq: number;
  /** formatted in Asia/Shanghai */
  when: string;
  who: string;
  what: string;
  /** "from queue → to queue", or the queue alone when it did not move */
  queue: string;
  moved: boolean;
  state: string;
  reason?: string;
}

/** A history entry as the timeline shows it: who did what when, where the case went, and why. */
export function historyLine(h: HistoryEntry, tr: Translator, orgName: OrgName): HistoryLine {
  const who = h.actor.kind === 'staff' ? h.actor.staffId : tr.t('history.system', { process: h.actor.process });
  const moved = !!h.fromQueueOrgUnitId && h.fromQueueOrgUnitId !== h.toQueueOrgUnitId;
  const queue = moved ? tr.t('history.move', { from: orgName(h.fromQueueOrgUnitId!), to: orgName(h.toQueueOrgUnitId) }) : orgName(h.toQueueOrgUnitId);
  const state = h.fromState && h.fromState !== h.toState ? `${tr.te('state', h.fromState)} → ${tr.te('state', h.toState)}` : tr.te('state', h.toState);
  let reason: string | undefined;
  if (h.reason) {
    // Opening reasons are enum values (a handover's reason, a follow-up's trigger, a certificate task).
    const prefix = ['reason', 'trigger', 'task'].find((p) => hasKey(`${p}.${h.reason}`));
    reason = prefix ? tr.te(prefix, h.reason) : systemReason(h.reason, tr);
  }
  return { seq: h.seq, when: formatInstant(h.at, tr.lang), who, what: tr.te('action', h.action), queue, moved, state, ...(reason ? { reason } : {}) };
}

/** The reasons the system writes (timers) have a fixed English form; staff reasons are shown as typed. */
const systemReasons: [RegExp, MessageKey, (m: RegExpExecArray) => Record<string, string>][] = [
  [/^due date (\d{4}-\d{2}-\d{2}) passed$/, 'sysreason.duePassed', (m) => ({ date: m[1]! })],
  [/^not re-routed by (\d{4}-\d{2}-\d{2})$/, 'sysreason.notRerouted', (m) => ({ date: m[1]! })],
  [/^still open (\S+) days after it went overdue$/, 'sysreason.stillOpen', (m) => ({ n: m[1]! })],
];

export function systemReason(reason: string, tr: Translator): string {
  for (const [re, key, params] of systemReasons) {
    const m = re.exec(reason);
    if (m) return tr.t(key, params(m));
  }
  return reason;
}

/** A reminder key as the case data keeps it: due-7 → "7 days before the due date", due-0, check-3. */
export function reminderName(key: string, tr: Translator): string {
  const m = /^(due|check)-(\d+)$/.exec(key);
  if (!m) return key;
  const n = Number(m[2]);
  if (m[1] === 'due') return n === 0 ? tr.t('reminder.dueDay') : tr.t('reminder.due', { n });
  return tr.t('reminder.check', { n });
}
