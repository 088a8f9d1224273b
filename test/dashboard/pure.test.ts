// The other pure parts: routes, action forms and bodies, case fields and history lines, the org index.
import { describe, expect, it } from 'vitest';
import { machines, staffActions } from '../../functions/domain/case-machines';
import type { Case, HistoryEntry, OrgUnit } from '../../functions/dashboard/src/api/types';
import { translator } from '../../functions/dashboard/src/i18n';
import { actionBody, formActions, outcomesFor, validateAction } from '../../functions/dashboard/src/lib/actions';
import { dataEntries, historyLine, reminderName, systemReason } from '../../functions/dashboard/src/lib/case-view';
import { OrgIndex } from '../../functions/dashboard/src/lib/orgs';
import { href, parseRoute } from '../../functions/dashboard/src/lib/routes';

const zh = translator('zh-CN');
const en = translator('en');

describe('routes', () => {
  it('parses the hash', () => {
    expect(parseRoute('')).toEqual({ name: 'home' });
    expect(parseRoute('#/')).toEqual({ name: 'home' });
    expect(parseRoute('#/queue')).toEqual({ name: 'queue' });
    expect(parseRoute('#/overview')).toEqual({ name: 'overview' });
    expect(parseRoute('#/overview/xinhua')).toEqual({ name: 'overview', orgUnitId: 'xinhua' });
    expect(parseRoute('#/case/ho-1')).toEqual({ name: 'case', caseId: 'ho-1' });
    expect(parseRoute('#/case')).toEqual({ name: 'not-found', path: 'case' });
    expect(parseRoute('#/nope')).toEqual({ name: 'not-found', path: 'nope' });
  });

  it('case ids with odd characters go there and back', () => {
    const id = 'health_check:s-000123:2026-01-01';
    expect(parseRoute(href.case(id))).toEqual({ name: 'case', caseId: id });
    expect(parseRoute(href.case('a/b c'))).toEqual({ name: 'case', caseId: 'a/b c' });
  });
});

describe('action forms', () => {
  it('every staff action of the domain has a form', () => {
    expect([...formActions].sort()).toEqual([...staffActions].sort());
  });

  it('outcomes follow the case type (and a certificate task)', () => {
    for (const type of ['follow_up', 'health_check', 'change_report'] as const) expect(outcomesFor({ type, data: {} })).toEqual(machines[type].outcomes);
    expect(outcomesFor({ type: 'certificate_check', data: { task: 'verify' } })).toEqual(['valid', 'missing', 'expired']);
    expect(outcomesFor({ type: 'application', state: 'awaiting_opinion', data: {} })).toEqual(machines.application.states.awaiting_opinion!.on.record_outcome!.length === 1 ? ['supported', 'not_supported'] : []);
    expect(outcomesFor({ type: 'application', state: 'awaiting_decision', data: {} })).toEqual(machines.application.states.awaiting_decision!.on.record_outcome);
    expect(outcomesFor({ type: 'certificate_check', data: { task: 'apply' } })).toEqual(['valid']);
    expect(outcomesFor({ type: 'handover', data: {} })).toEqual([]);
  });

  it('checks what each action needs', () => {
    expect(validateAction('reject', { reason: '  ' }).map((e) => e.path)).toEqual(['body.reason']);
    expect(validateAction('cancel', {})).toHaveLength(1);
    expect(validateAction('escalate', {})).toEqual([]);
    expect(validateAction('record_outcome', { date: '2026-04-01' }).map((e) => e.path)).toEqual(['body.outcome']);
    expect(validateAction('record_outcome', { outcome: 'visited', date: '' }).map((e) => e.path)).toEqual(['body.date']);
    expect(validateAction('reassign', {}).map((e) => e.path)).toEqual(['body.toOrgUnitId']);
    expect(validateAction('acknowledge', {})).toEqual([]);
  });

  it('builds the bodies the API takes (no empty optional fields)', () => {
    expect(actionBody('acknowledge', { reason: 'x', date: '2026-01-01' })).toEqual({ action: 'acknowledge' });
    expect(actionBody('reject', { reason: ' not ours ' })).toEqual({ action: 'reject', reason: 'not ours' });
    expect(actionBody('escalate', { reason: '' })).toEqual({ action: 'escalate' });
    expect(actionBody('reassign', { toOrgUnitId: 'east-b' })).toEqual({ action: 'reassign', toOrgUnitId: 'east-b' });
    expect(actionBody('record_outcome', { outcome: 'visited', date: '2026-04-01', toCommunityId: 'east-b' })).toEqual({ action: 'record_outcome', outcome: 'visited', date: '2026-04-01' });
    expect(actionBody('record_outcome', { outcome: 'moved_away', date: '2026-04-01', toCommunityId: 'east-b' })).toEqual({
      action: 'record_outcome',
      outcome: 'moved_away',
      date: '2026-04-01',
      toCommunityId: 'east-b',
    });
  });
});

const units: OrgUnit[] = [
  { id: 'tiny', kind: 'district', name: { 'zh-CN': '小区', en: 'Tiny District' }, parentId: null },
  { id: 'east', kind: 'street', name: { 'zh-CN': '东街道', en: 'East Street' }, parentId: 'tiny' },
  { id: 'east-a', kind: 'community', name: { 'zh-CN': '东甲社区', en: 'East A' }, parentId: 'east' },
  { id: 'east-school', kind: 'unit', name: { 'zh-CN': '东街小学', en: 'East School' }, parentId: 'east' },
  { id: 'west', kind: 'street', name: { 'zh-CN': '西镇', en: 'West Town' }, parentId: 'tiny' },
];
const orgs = new OrgIndex(units);

describe('org index', () => {
  it('names, lineage, children, communities by street', () => {
    expect(orgs.name('east-a', 'zh-CN')).toBe('东甲社区');
    expect(orgs.name('nowhere', 'en')).toBe('nowhere');
    expect(orgs.lineage('east-a').map((u) => u.id)).toEqual(['tiny', 'east', 'east-a']);
    expect(orgs.children('east').map((u) => u.id)).toEqual(['east-a', 'east-school']);
    expect(orgs.communitiesByStreet().map((g) => [g.street.id, g.communities.map((c) => c.id)])).toEqual([['east', ['east-a']]]);
  });
});

describe('case fields and history', () => {
  const name = (id: string) => orgs.name(id, 'zh-CN');

  it('data entries: org ids as names, enums and dates translated, known keys first', () => {
    const c = { data: { rejections: 0, fromOrgUnitId: 'east-school', reason: 'resigned', separationDate: '2026-03-01', overdue: true, zzz: 'raw' } } as unknown as Case;
    expect(dataEntries(c, zh, name)).toEqual([
      { key: 'reason', label: '移交原因', value: '辞职' },
      { key: 'separationDate', label: '离职/迁居日期', value: '2026-03-01 周日' },
      { key: 'fromOrgUnitId', label: '移出单位', value: '东街小学' },
      { key: 'rejections', label: '退回次数', value: '0' },
      { key: 'overdue', label: '已逾期', value: '是' },
      { key: 'zzz', label: 'zzz', value: 'raw' },
    ]);
  });

  it('a history line: who, what, when (Asia/Shanghai), where it went, why', () => {
    const h: HistoryEntry = {
      seq: 3,
      at: '2026-04-01T16:00:00.000Z',
      actor: { kind: 'system', process: 'sweeper' },
      action: 'overdue',
      fromState: 'awaiting_ack',
      toState: 'overdue',
      fromQueueOrgUnitId: 'east-a',
      toQueueOrgUnitId: 'east',
      reason: 'due date 2026-04-01 passed',
    };
    expect(historyLine(h, zh, name)).toEqual({
      seq: 3,
      when: '2026-04-02 00:00',
      who: '系统（sweeper）',
      what: '逾期',
      queue: '东甲社区 → 东街道',
      moved: true,
      state: '待接收 → 逾期',
      reason: '截止日期 2026-04-01 已过',
    });
  });

  it('an opening reason is an enum value; a staff reason shows as typed', () => {
    const open: HistoryEntry = { seq: 1, at: '2026-03-02T02:00:00Z', actor: { kind: 'staff', staffId: 'ul-east-school' }, action: 'open', toState: 'awaiting_ack', toQueueOrgUnitId: 'east-a', reason: 'resigned' };
    expect(historyLine(open, en, (id) => orgs.name(id, 'en'))).toMatchObject({ who: 'ul-east-school', what: 'Opened', queue: 'East A', moved: false, state: 'Awaiting receipt', reason: 'Resigned' });
    expect(historyLine({ ...open, action: 'reject', reason: '不是本社区居民' }, zh, name).reason).toBe('不是本社区居民');
  });

  it('reminder keys', () => {
    expect(['due-7', 'due-0', 'check-3', 'odd'].map((k) => reminderName(k, zh))).toEqual(['截止前 7 天', '截止当天', '查环查孕日前 3 天', 'odd']);
    expect(reminderName('due-1', en)).toBe('1 day before the due date');
  });

  it('system reasons in both languages', () => {
    expect(systemReason('not re-routed by 2026-04-06', zh)).toBe('未在 2026-04-06 前重新分派');
    expect(systemReason('still open 7 days after it went overdue', zh)).toBe('逾期后 7 天仍未办结');
    expect(systemReason('still open 7 days after it went overdue', en)).toBe('still open 7 days after it went overdue');
  });
});
