// Dates on screen are Asia/Shanghai, whatever the machine's zone (this file runs in UTC or anywhere).
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, dueStatus, formatDate, formatInstant, formatMonth, lastMonths, shanghaiDate, shanghaiParts } from '../../functions/dashboard/src/lib/dates';

describe('instants in Asia/Shanghai', () => {
  it('UTC 16:00 is 00:00 the next day in Shanghai', () => {
    expect(shanghaiParts('2026-03-31T16:00:00.000Z')).toEqual({ date: '2026-04-01', time: '00:00' });
    expect(shanghaiDate('2026-03-31T15:59:59.999Z')).toBe('2026-03-31');
  });

  it('a due instant (end of the due date) shows on the due date', () => {
    expect(formatInstant('2026-03-31T15:59:59.999Z', 'zh-CN')).toBe('2026-03-31 23:59');
  });

  it('formats by language', () => {
    expect(formatInstant('2026-03-02T02:00:00.000Z', 'zh-CN')).toBe('2026-03-02 10:00');
    expect(formatInstant('2026-03-02T02:00:00.000Z', 'en')).toBe('2 Mar 2026, 10:00');
  });

  it('does not depend on the process time zone', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      expect(formatInstant('2026-12-31T20:30:00.000Z', 'zh-CN')).toBe('2027-01-01 04:30');
    } finally {
      process.env.TZ = before;
    }
  });

  it('nothing or garbage does not throw', () => {
    expect(formatInstant(null, 'en')).toBe('');
    expect(formatInstant('not a date', 'en')).toBe('not a date');
  });
});

describe('business dates', () => {
  it('are never shifted, and carry the weekday', () => {
    expect(formatDate('2026-03-31', 'zh-CN')).toBe('2026-03-31 周二');
    expect(formatDate('2026-03-31', 'en')).toBe('Tue 31 Mar 2026');
    expect(formatDate('soon', 'en')).toBe('soon');
    expect(formatDate(undefined, 'en')).toBe('');
  });

  it('months', () => {
    expect(formatMonth('2026-03', 'zh-CN')).toBe('2026年3月');
    expect(formatMonth('2026-03', 'zh-CN', true)).toBe('3月');
    expect(formatMonth('2026-03', 'en')).toBe('Mar 2026');
  });

  it('day arithmetic', () => {
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
    expect(daysBetween('2026-03-31', '2026-03-01')).toBe(-30);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('the last n months end with the Shanghai month of now', () => {
    // 2026-03-31T17:00Z is already April 1st in Shanghai.
    const months = lastMonths('2026-03-31T17:00:00.000Z', 3);
    expect(months).toEqual([
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-31' },
      { month: '2026-04', from: '2026-04-01', to: '2026-04-30' },
    ]);
    expect(lastMonths('2026-01-15T00:00:00Z', 12)[0]).toEqual({ month: '2025-02', from: '2025-02-01', to: '2025-02-28' });
  });
});

describe('due status', () => {
  const today = '2026-04-10';
  it('the server says overdue: its days count', () => {
    expect(dueStatus({ dueDate: '2026-04-01', overdue: true, daysOverdue: 9, status: 'open' }, today)).toEqual({ kind: 'overdue', days: 9 });
  });
  it('today, soon, later', () => {
    expect(dueStatus({ dueDate: '2026-04-10', overdue: false, status: 'open' }, today)).toEqual({ kind: 'today', days: 0 });
    expect(dueStatus({ dueDate: '2026-04-13', overdue: false, status: 'open' }, today)).toEqual({ kind: 'soon', days: 3 });
    expect(dueStatus({ dueDate: '2026-05-13', overdue: false, status: 'open' }, today)).toEqual({ kind: 'later', days: 33 });
  });
  it('a closed case has no due status', () => {
    expect(dueStatus({ dueDate: '2026-04-01', overdue: false, status: 'done' }, today).kind).toBe('closed');
  });
});
