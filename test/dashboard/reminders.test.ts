// The pure parts of the Outbox, Undeliverable and My settings pages: icons, filters as a query, ordering, the
// settings form's checks and its patch of what changed, and the new hash routes.
import { describe, expect, it } from 'vitest';
import {
  channelIcon,
  formOf,
  isTimeOfDay,
  newestFirst,
  outboxQuery,
  preferencesPatch,
  quietHoursKind,
  settingsErrors,
} from '../../functions/dashboard/src/lib/reminders';
import { href, parseRoute } from '../../functions/dashboard/src/lib/routes';

const prefs = { channel: 'sms' as const, language: 'zh-CN' as const, quietHours: { start: '21:00', end: '08:00' } };

describe('outbox helpers', () => {
  it('a glyph per channel', () => {
    expect(channelIcon('sms')).toBe('💬');
    expect(channelIcon('email')).toBe('✉️');
    expect(channelIcon('pager')).toBe('•');
  });

  it('the query leaves out empty filters and trims the staff id', () => {
    expect(outboxQuery({ staffId: '', channel: '' })).toEqual({ limit: 200 });
    expect(outboxQuery({ staffId: '  sm-xinhua ', channel: 'email' }, 50)).toEqual({ limit: 50, staffId: 'sm-xinhua', channel: 'email' });
  });

  it('newest first, stable for equal instants', () => {
    const items = [
      { at: '2026-03-02T01:00:00.000Z', id: 'a' },
      { at: '2026-03-02T03:00:00.000Z', id: 'b' },
      { at: '2026-03-02T01:00:00.000Z', id: 'c' },
    ];
    expect(newestFirst(items).map((x) => x.id)).toEqual(['b', 'a', 'c']);
    expect(items.map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('settings form', () => {
  it('HH:MM from 00:00 to 23:59', () => {
    for (const ok of ['00:00', '08:30', '23:59']) expect(isTimeOfDay(ok), ok).toBe(true);
    for (const bad of ['24:00', '7:00', '07:60', '0700', '', '07:00:00']) expect(isTimeOfDay(bad), bad).toBe(false);
  });

  it('names the invalid fields', () => {
    expect(settingsErrors(formOf(prefs))).toEqual([]);
    expect(settingsErrors({ ...formOf(prefs), quietStart: '25:00', quietEnd: '' })).toEqual(['quietStart', 'quietEnd']);
    expect(settingsErrors({ ...formOf(prefs), channel: 'fax' as never, language: 'fr' as never })).toEqual(['channel', 'language']);
  });

  it('patches only what changed; quiet hours go as a pair', () => {
    expect(preferencesPatch(prefs, formOf(prefs))).toBeUndefined();
    expect(preferencesPatch(prefs, { ...formOf(prefs), channel: 'both' })).toEqual({ channel: 'both' });
    expect(preferencesPatch(prefs, { ...formOf(prefs), language: 'en', quietEnd: '07:00' })).toEqual({ language: 'en', quietHours: { start: '21:00', end: '07:00' } });
  });

  it('quiet hours: none when start = end, overnight when they wrap midnight', () => {
    expect(quietHoursKind('21:00', '21:00')).toBe('none');
    expect(quietHoursKind('21:00', '08:00')).toBe('overnight');
    expect(quietHoursKind('12:00', '14:00')).toBe('sameDay');
  });
});

describe('routes of the new pages', () => {
  it('parse and build', () => {
    for (const name of ['outbox', 'undeliverable', 'settings'] as const) {
      expect(href[name]()).toBe(`#/${name}`);
      expect(parseRoute(href[name]())).toEqual({ name });
    }
  });
});
