// Pure helpers of the Outbox, Undeliverable and My settings pages: channel icons, outbox filters as a query,
// newest-first ordering, and the settings form (HH:MM checks, the patch of what changed).
import type { Channel, DeliveryChannel, OutboxMessage, Preferences } from '../api/types';

export const channels: readonly Channel[] = ['sms', 'email', 'both', 'none'];
export const deliveryChannels: readonly DeliveryChannel[] = ['sms', 'email'];

/** A glyph per delivery channel (decorative: the channel's name is always beside it). */
export function channelIcon(channel: string): string {
  switch (channel) {
    case 'sms':
      return '💬';
    case 'email':
      return '✉️';
    default:
      return '•';
  }
}

export interface OutboxFilters {
  staffId: string;
  channel: '' | DeliveryChannel;
}

/** The query of GET /dev/outbox for the filters: empty fields left out, the staff id trimmed. */
export function outboxQuery(f: OutboxFilters, limit = 200): Record<string, string | number> {
  const q: Record<string, string | number> = { limit };
  const staffId = f.staffId.trim();
  if (staffId) q.staffId = staffId;
  if (f.channel) q.channel = f.channel;
  return q;
}

/** Newest first (the server sends them so; a stable re-sort keeps the page right whatever it gets). */
export function newestFirst<T extends Pick<OutboxMessage, 'at'>>(items: readonly T[]): T[] {
  return items
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (a.m.at < b.m.at ? 1 : a.m.at > b.m.at ? -1 : a.i - b.i))
    .map((x) => x.m);
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
export const isTimeOfDay = (s: string): boolean => TIME.test(s);

export interface SettingsForm {
  channel: Channel;
  language: 'zh-CN' | 'en';
  quietStart: string;
  quietEnd: string;
}

export const formOf = (p: Preferences): SettingsForm => ({ channel: p.channel, language: p.language, quietStart: p.quietHours.start, quietEnd: p.quietHours.end });

/** The fields of the form that are not valid (by field name). */
export function settingsErrors(f: SettingsForm): ('quietStart' | 'quietEnd' | 'channel' | 'language')[] {
  const errs: ('quietStart' | 'quietEnd' | 'channel' | 'language')[] = [];
  if (!channels.includes(f.channel)) errs.push('channel');
  if (f.language !== 'zh-CN' && f.language !== 'en') errs.push('language');
  if (!isTimeOfDay(f.quietStart)) errs.push('quietStart');
  if (!isTimeOfDay(f.quietEnd)) errs.push('quietEnd');
  return errs;
}

/** The PATCH body: only what changed from `before` (undefined when nothing did). */
export function preferencesPatch(before: Preferences, f: SettingsForm): Partial<Preferences> | undefined {
  const patch: Partial<Preferences> = {};
  if (f.channel !== before.channel) patch.channel = f.channel;
  if (f.language !== before.language) patch.language = f.language;
  if (f.quietStart !== before.quietHours.start || f.quietEnd !== before.quietHours.end) patch.quietHours = { start: f.quietStart, end: f.quietEnd };
  return Object.keys(patch).length ? patch : undefined;
}

/** Quiet hours in words' raw parts: none when start = end; overnight when they wrap midnight. */
export function quietHoursKind(start: string, end: string): 'none' | 'overnight' | 'sameDay' {
  if (start === end) return 'none';
  return start > end ? 'overnight' : 'sameDay';
}
