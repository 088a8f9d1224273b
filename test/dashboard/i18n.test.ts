// The message catalogs: same keys in both languages, nothing empty, the same placeholders, and every
// enum value the domain can send (types, states, actions, outcomes, levels, roles) translated.
import { describe, expect, it } from 'vitest';
import { caseTypes, caseStatuses, queueLevels } from '../../functions/domain/case';
import { certificateTasks, followUpTriggers, handoverReasons, machines, staffActions, timerActions } from '../../functions/domain/case-machines';
import { staffRoles } from '../../functions/domain/district-config';
import { subjectClasses } from '../../functions/domain/people';
import { orgUnitKinds } from '../../functions/domain/territory';
import { en } from '../../functions/dashboard/src/i18n/en';
import { catalogs, hasKey, languages, localName, translate, translateEnum, translator } from '../../functions/dashboard/src/i18n';
import { zhCN } from '../../functions/dashboard/src/i18n/zh-CN';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it.each(languages)('%s has no empty or untrimmed message', (lang) => {
    for (const [key, text] of Object.entries(catalogs[lang])) {
      expect(typeof text, key).toBe('string');
      expect(text.trim(), key).not.toBe('');
      expect(text, key).toBe(text.trim());
    }
  });

  it('a message has the same placeholders in both languages', () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]));
  });

  it('zh-CN is Chinese and en is not (a copy-paste slip shows here)', () => {
    const han = /[\u4e00-\u9fff]/;
    const zhWithoutHan = Object.entries(zhCN).filter(([k, v]) => !han.test(v) && !/^(bucket|dev\.plusDays|history\.move|app\.language$)/.test(k));
    expect(zhWithoutHan.filter(([, v]) => /[a-z]{3,}/i.test(v.replace(/\{\w+\}/g, '')))).toEqual([]);
    expect(Object.entries(en).filter(([k, v]) => han.test(v) && k !== 'app.language')).toEqual([]);
  });
});

describe('every domain enum is translated', () => {
  const states = new Set(Object.values(machines).flatMap((m) => Object.keys(m.states)));
  const outcomes = new Set(Object.values(machines).flatMap((m) => m.outcomes));
  const groups: [string, readonly string[]][] = [
    ['type', caseTypes],
    ['status', caseStatuses],
    ['state', [...states]],
    ['outcome', [...outcomes]],
    ['action', ['open', ...staffActions, ...timerActions]],
    ['level', [...queueLevels, ...orgUnitKinds]],
    ['role', staffRoles],
    ['class', subjectClasses],
    ['reason', handoverReasons],
    ['trigger', followUpTriggers],
    ['task', certificateTasks],
  ];
  it.each(groups)('%s', (prefix, values) => {
    const missing = values.filter((v) => !hasKey(`${prefix}.${v}`));
    expect(missing).toEqual([]);
  });

  it('the names the issue asks for', () => {
    const zh = translator('zh-CN');
    expect(['handover', 'follow_up', 'health_check', 'certificate_check', 'unit_notice', 'change_report'].map((t) => zh.te('type', t))).toEqual([
      '手续移交',
      '随访',
      '查环查孕',
      '婚育证明查验',
      '信息通报单',
      '月变更报告单',
    ]);
    expect(['community', 'street', 'district', 'unit'].map((l) => zh.te('level', l))).toEqual(['社区', '街道', '区', '单位']);
    expect(zh.te('state', 'overdue')).toBe('逾期');
    expect(zh.t('case.overdueDays', { n: 3 })).toBe('逾期 3 天');
    expect(translate('en', 'case.overdueDays', { n: 3 })).toBe('3 days overdue');
  });
});

describe('lookups', () => {
  it('an unknown enum value shows as it is', () => {
    expect(translateEnum('zh-CN', 'state', 'some_new_state')).toBe('some_new_state');
    expect(translateEnum('en', 'type', 'handover')).toBe('Handover');
  });

  it('English plurals: {n|one|other}', () => {
    expect(translate('en', 'case.dueIn', { n: 1 })).toBe('due in 1 day');
    expect(translate('en', 'case.dueIn', { n: 3 })).toBe('due in 3 days');
    expect(translate('en', 'case.overdueDays', { n: 1 })).toBe('1 day overdue');
    expect(translate('en', 'queue.count', { n: '50+' })).toBe('50+ cases');
    expect(translate('zh-CN', 'case.dueIn', { n: 1 })).toBe('剩 1 天');
  });

  it('a placeholder without a value stays visible', () => {
    expect(translate('zh-CN', 'case.dueIn', {})).toBe('剩 {n} 天');
  });

  it('org unit names by language, with fallbacks', () => {
    const name = { 'zh-CN': '新华路街道', en: 'Xinhua Road Street Office' };
    expect(localName(name, 'zh-CN', 'xinhua')).toBe('新华路街道');
    expect(localName(name, 'en', 'xinhua')).toBe('Xinhua Road Street Office');
    expect(localName({ zh: '东街道', en: 'East Street' }, 'zh-CN', 'east')).toBe('东街道');
    expect(localName({ 'zh-CN': '只有中文' }, 'en', 'x')).toBe('只有中文');
    expect(localName(undefined, 'en', 'xinhua')).toBe('xinhua');
  });
});
