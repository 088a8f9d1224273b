// The pure reminder rules: classification, quiet hours, channels, contacts, digest buckets, staff import checks.
import { describe, expect, it } from 'vitest';
import { validateStaffRows } from '../../functions/domain/district-config';
import {
  channelsFor,
  deliveryOf,
  digestDedupeKey,
  dueBucket,
  isE164,
  isEmail,
  isQuiet,
  maskPhone,
  nextAllowedSend,
  outboxDedupeKey,
  retryDelayMs,
  stillRelevant,
  URGENT_TEMPLATES,
} from '../../functions/domain/reminders';
import { businessInstant, endOfBusinessDay } from '../../functions/domain/time';

const local = (date: string, hhmm: string) => businessInstant(date, hhmm);

describe('quiet hours (Asia/Shanghai)', () => {
  const night = { start: '21:00', end: '08:00' };

  it('wrapping midnight (21:00–08:00, the default): evening waits for the next morning, early morning for 08:00', () => {
    expect(nextAllowedSend(local('2026-03-10', '20:59'), night)).toBe(local('2026-03-10', '20:59'));
    expect(nextAllowedSend(local('2026-03-10', '21:00'), night)).toBe(local('2026-03-11', '08:00'));
    expect(nextAllowedSend(local('2026-03-10', '23:59'), night)).toBe(local('2026-03-11', '08:00'));
    expect(nextAllowedSend(local('2026-03-11', '00:00'), night)).toBe(local('2026-03-11', '08:00'));
    expect(nextAllowedSend('2026-03-10T23:59:59.999Z', night)).toBe(local('2026-03-11', '08:00')); // 07:59:59.999 local
    expect(nextAllowedSend(local('2026-03-11', '08:00'), night)).toBe(local('2026-03-11', '08:00'));
    expect(nextAllowedSend(local('2026-03-11', '12:00'))).toBe(local('2026-03-11', '12:00')); // default applies
  });

  it('crosses month and year ends', () => {
    expect(nextAllowedSend(local('2026-12-31', '22:00'), night)).toBe(local('2027-01-01', '08:00'));
    expect(nextAllowedSend(local('2026-02-28', '21:30'), night)).toBe(local('2026-03-01', '08:00'));
  });

  it('not wrapping (a midday rest 12:00–14:00)', () => {
    const noon = { start: '12:00', end: '14:00' };
    expect(nextAllowedSend(local('2026-03-10', '11:59'), noon)).toBe(local('2026-03-10', '11:59'));
    expect(nextAllowedSend(local('2026-03-10', '12:00'), noon)).toBe(local('2026-03-10', '14:00'));
    expect(nextAllowedSend(local('2026-03-10', '13:59'), noon)).toBe(local('2026-03-10', '14:00'));
    expect(nextAllowedSend(local('2026-03-10', '14:00'), noon)).toBe(local('2026-03-10', '14:00'));
    expect(nextAllowedSend(local('2026-03-10', '23:00'), noon)).toBe(local('2026-03-10', '23:00'));
  });

  it('each staff member sets her own; equal start and end means none', () => {
    const late = { start: '23:00', end: '07:00' };
    expect(nextAllowedSend(local('2026-03-11', '00:00'), late)).toBe(local('2026-03-11', '07:00'));
    expect(nextAllowedSend(local('2026-03-10', '22:00'), late)).toBe(local('2026-03-10', '22:00'));
    const early = { start: '20:00', end: '09:00' };
    expect(nextAllowedSend(local('2026-03-11', '08:30'), early)).toBe(local('2026-03-11', '09:00'));
    const none = { start: '00:00', end: '00:00' };
    expect(isQuiet(local('2026-03-11', '03:00'), none)).toBe(false);
    expect(isQuiet(local('2026-03-11', '03:00'), night)).toBe(true);
    expect(isQuiet(local('2026-03-11', '10:00'), night)).toBe(false);
  });

  it('refuses a time that is not HH:MM', () => {
    expect(() => nextAllowedSend(local('2026-03-11', '03:00'), { start: '9pm', end: '08:00' })).toThrow(/HH:MM/);
  });
});

describe('classification', () => {
  it('a handover gone overdue (street manager) and one escalated to the district are urgent; all else waits for the digest', () => {
    expect(URGENT_TEMPLATES).toEqual(['handover.overdue', 'handover.escalated_district']);
    expect(deliveryOf('handover.overdue')).toBe('urgent');
    expect(deliveryOf('handover.escalated_district')).toBe('urgent');
    for (const t of ['handover.opened', 'handover.due_reminder', 'handover.receipt', 'handover.reroute', 'handover.assigned', 'handover.escalated', 'health_check.overdue', 'health_check.check_day_reminder', 'follow_up.overdue', 'change_report.escalated_district', 'unit_notice.receipt'])
      expect(deliveryOf(t), t).toBe('digest');
  });

  it('a notice asking for action is dropped once its case closed; a report of what happened is kept; nothing for a cancelled case', () => {
    expect(stillRelevant('handover.overdue', 'open')).toBe(true);
    expect(stillRelevant('handover.overdue', 'done')).toBe(false);
    expect(stillRelevant('handover.opened', 'cancelled')).toBe(false);
    expect(stillRelevant('handover.due_reminder', undefined)).toBe(false);
    expect(stillRelevant('handover.receipt', 'done')).toBe(true);
    expect(stillRelevant('change_report.filed', 'done')).toBe(true);
    expect(stillRelevant('handover.receipt', 'cancelled')).toBe(false);
  });
});

describe('channels, contacts, keys', () => {
  it('channel preference → channels', () => {
    expect(channelsFor('sms')).toEqual(['sms']);
    expect(channelsFor('email')).toEqual(['email']);
    expect(channelsFor('both')).toEqual(['sms', 'email']);
    expect(channelsFor('none')).toEqual([]);
  });

  it('E.164 phones and e-mail addresses', () => {
    expect(isE164('+8613900000001')).toBe(true);
    for (const bad of ['13900000001', '+86 139 0000 0001', '+0861390000000', '', undefined]) expect(isE164(bad), String(bad)).toBe(false);
    expect(isEmail('co-east-a-1@example.cn')).toBe(true);
    for (const bad of ['co@', 'co@example', 'a b@example.cn', '', undefined]) expect(isEmail(bad), String(bad)).toBe(false);
    expect(maskPhone('+8613900000006')).toBe('+86139****0006');
  });

  it('dedupe keys: one per (staff, reminder), one digest per staff member and day', () => {
    expect(outboxDedupeKey('abc')).toBe('outbox:abc');
    expect(digestDedupeKey('co-east-a-1', '2026-03-10')).toBe('digest:co-east-a-1:2026-03-10');
  });

  it('retry back-off doubles from a minute, capped at an hour', () => {
    expect([1, 2, 3, 7, 12].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
  });
});

describe('digest buckets', () => {
  const now = local('2026-03-10', '08:30');
  const due = (date: string) => ({ dueDate: date, dueAt: endOfBusinessDay(date) });
  it('overdue, today, within 3 days (not today), later', () => {
    expect(dueBucket(due('2026-03-09'), '2026-03-10', now)).toBe('overdue');
    expect(dueBucket(due('2026-03-10'), '2026-03-10', now)).toBe('today');
    expect(dueBucket(due('2026-03-11'), '2026-03-10', now)).toBe('soon');
    expect(dueBucket(due('2026-03-13'), '2026-03-10', now)).toBe('soon');
    expect(dueBucket(due('2026-03-14'), '2026-03-10', now)).toBeUndefined();
  });
});

describe('staff import', () => {
  const good = { id: 'co-x-1', name: '王测试', role: 'community_officer', orgUnitId: 'x', phone: '+8613900000009', email: 'co-x-1@example.cn' };
  it('refuses a phone not in E.164 and a bad e-mail, with the row and the reason, never the value', () => {
    const { accepted, rejected } = validateStaffRows([good, { ...good, id: 'co-x-2', phone: '139 0001 0005' }, { ...good, id: 'co-x-3', email: 'not-an-address' }]);
    expect(accepted.map((s) => s.staffId)).toEqual(['co-x-1']);
    expect(accepted[0]).toMatchObject({ channel: 'sms', language: 'zh-CN', quietHours: { start: '21:00', end: '08:00' } });
    expect(rejected).toEqual([
      { row: 2, field: 'phone', reason: expect.stringMatching(/E\.164/) },
      { row: 3, field: 'email', reason: expect.any(String) },
    ]);
    expect(JSON.stringify(rejected)).not.toMatch(/139 0001 0005|not-an-address/);
  });
});
