// Every message template in zh-CN and en, on both channels: it renders with realistic params, carries no personal
// data, accepts only its own params, and every notice the case machines can emit has a template.
import { describe, expect, it } from 'vitest';
import { caseTypes } from '../../functions/domain/case';
import { languages } from '../../functions/domain/district-config';
import {
  BadParamValueError,
  ForbiddenParamError,
  PersonalDataError,
  TEMPLATES,
  UnknownTemplateError,
  allowedParams,
  findPersonalData,
  renderDigest,
  renderMessage,
} from '../../functions/domain/message-templates';
import { DIGEST_TEMPLATE } from '../../functions/domain/reminders';

/** Realistic values of each param kind. */
const SAMPLE: Record<string, string | number> = {
  dueDate: '2026-03-31',
  checkDay: '2026-03-10',
  acknowledgedOn: '2026-03-04',
  rerouteDueDate: '2026-03-05',
  date: '2026-03-10',
  daysBefore: 7,
  attempts: 2,
  dueToday: 2,
  dueSoon: 5,
  overdue: 1,
  newHandovers: 1,
  updates: 3,
  period: '2026-H1',
  month: '2026-03',
  caseId: 'health_check:s-00012:2026-01-01',
  link: 'http://localhost:3000/#/case/health_check%3As-00012%3A2026-01-01',
};

const FAKE = { name: '李秘密', phone: '+8613987654321', bare: '13987654321', idNumber: '410102199001011234', health: '怀孕' };

/** Every notice template the case machines can emit (functions/domain/case-machines.ts). */
const emitted = [
  ...caseTypes.flatMap((t) => [`${t}.due_reminder`, `${t}.escalated`, `${t}.overdue`, `${t}.escalated_district`]),
  'handover.opened',
  'follow_up.opened',
  'certificate_check.opened',
  'handover.reroute',
  'handover.assigned',
  'handover.receipt',
  'unit_notice.receipt',
  'follow_up.unreachable',
  'change_report.filed',
  'health_check.check_day_reminder',
];

describe('the catalog', () => {
  it('has a template for every notice the case machines emit, and the digest', () => {
    for (const t of [...emitted, DIGEST_TEMPLATE]) expect(TEMPLATES[t], t).toBeDefined();
  });

  it('its raw texts carry no health word and no number', () => {
    for (const d of Object.values(TEMPLATES))
      for (const lang of languages) {
        const { headline, subject } = d.text[lang];
        expect(findPersonalData(headline.replace(/\{\w+\}/g, 'X')), `${d.name} ${lang}`).toEqual([]);
        expect(findPersonalData(subject.replace(/\{\w+\}/g, 'X')), `${d.name} ${lang} subject`).toEqual([]);
      }
  });
});

describe('rendering every template, both languages, both channels', () => {
  const rendered: { name: string; lang: string; channel: string; text: string; subject?: string }[] = [];
  for (const name of Object.keys(TEMPLATES).sort())
    for (const lang of languages)
      for (const channel of ['sms', 'email'] as const) {
        it(`${name} ${lang} ${channel}`, () => {
          const params = Object.fromEntries(allowedParams(name, channel).map((p) => [p, SAMPLE[p]!]));
          const m = renderMessage(name, channel, lang, params);
          rendered.push({ name, lang, channel, text: m.text, ...(m.subject ? { subject: m.subject } : {}) });
          // Every param it was given shows up (nothing silently dropped), and nothing personal does.
          for (const [k, v] of Object.entries(params)) if (k !== 'link' || channel === 'email' || name) expect(m.text, k).toContain(String(v));
          const scanned = `${m.subject ?? ''}\n${m.text}`.split(String(SAMPLE.caseId)).join(' ').split(String(SAMPLE.link)).join(' ');
          expect(findPersonalData(scanned)).toEqual([]);
          for (const v of Object.values(FAKE)) expect(m.text).not.toContain(v);
          if (channel === 'sms') {
            expect(m.subject).toBeUndefined();
            expect(m.text).not.toContain(String(SAMPLE.caseId)); // SMS never names a case
            expect(m.text.length).toBeLessThanOrEqual(lang === 'en' ? 200 : 120);
            expect(m.text.startsWith(lang === 'en' ? '[shudi] ' : '【属地】')).toBe(true);
          } else {
            expect(m.asciiSubject).toMatch(/^[\x20-\x7e]+$/);
            expect(m.asciiSubject!.length).toBeLessThan(100);
          }
        });
      }

  it('prints one rendered example of each kind', () => {
    const show = rendered.filter((r) => ['handover.overdue', DIGEST_TEMPLATE].includes(r.name));
    for (const r of show) console.log(`${r.name} ${r.lang} ${r.channel}: ${r.subject ? `[${r.subject}] ` : ''}${r.text.replace(/\n/g, ' ⏎ ')}`);
    expect(show.length).toBe(8);
  });
});

describe('the rule: only whitelisted params, each in its form', () => {
  it('refuses a name, a phone, an ID number or anything health-like as personal data', () => {
    for (const p of ['name', 'subjectName', 'phone', 'mobile', 'idNumber', 'idCard', 'diagnosis', 'pregnancy', 'healthNote', 'email', 'address']) {
      const err = (() => {
        try {
          renderMessage('handover.overdue', 'sms', 'zh-CN', { dueDate: '2026-03-31', [p]: 'x' });
        } catch (e) {
          return e;
        }
      })();
      expect(err, p).toBeInstanceOf(ForbiddenParamError);
      expect((err as ForbiddenParamError).personal, p).toBe(true);
    }
    expect(() => renderMessage('handover.overdue', 'sms', 'en', { dueDate: '2026-03-31', colour: 'red' })).toThrow(ForbiddenParamError);
  });

  it('a case id goes by e-mail only', () => {
    expect(() => renderMessage('handover.overdue', 'sms', 'zh-CN', { dueDate: '2026-03-31', caseId: 'ho-1' })).toThrow(ForbiddenParamError);
    expect(renderMessage('handover.overdue', 'email', 'zh-CN', { dueDate: '2026-03-31', caseId: 'ho-1' }).text).toContain('ho-1');
  });

  it('a value not in its form is refused without being echoed (a phone where a date goes)', () => {
    const call = () => renderMessage('handover.overdue', 'sms', 'zh-CN', { dueDate: FAKE.bare });
    expect(call).toThrow(BadParamValueError);
    expect(call).toThrow(/dueDate/);
    try {
      call();
    } catch (e) {
      expect((e as Error).message).not.toContain(FAKE.bare);
    }
    expect(() => renderMessage('follow_up.unreachable', 'sms', 'en', { attempts: -1 })).toThrow(BadParamValueError);
    expect(() => renderMessage('handover.overdue', 'email', 'en', { dueDate: '2026-03-31', caseId: `李秘密 ${FAKE.phone}` })).toThrow(BadParamValueError);
    expect(() => renderMessage('handover.overdue', 'sms', 'en', { dueDate: '2026-03-31', link: 'javascript:alert(1)' })).toThrow(BadParamValueError);
  });

  it('an unknown template, or a missing param, fails', () => {
    expect(() => renderMessage('handover.gossip', 'sms', 'en', {})).toThrow(UnknownTemplateError);
    expect(() => renderMessage('handover.overdue', 'sms', 'en', {})).toThrow(/missing/);
  });

  it('the scan finds phones, ID numbers, addresses and health words in any text (a template that rendered one fails here)', () => {
    expect(findPersonalData(`call ${FAKE.phone}`)).toContain('a long number (phone or ID)');
    expect(findPersonalData(`call 139 8765 4321`)).toContain('a long number (phone or ID)');
    expect(findPersonalData(`ID ${FAKE.idNumber}`)).toContain('an ID number');
    expect(findPersonalData('write to li@example.cn')).toContain('an e-mail address');
    expect(findPersonalData('她已怀孕')).toContain('a health word');
    expect(findPersonalData('IUD check')).toContain('a health word');
    expect(findPersonalData('查环查孕')).toContain('a health word');
    expect(findPersonalData('pregnancy test')).toContain('a health word');
    expect(findPersonalData('due 2026-03-31, 12 overdue, period 2026-H1')).toEqual([]);
    expect(new PersonalDataError('x', ['a health word']).message).toMatch(/personal data/);
  });
});

describe('the digest', () => {
  const counts = { date: '2026-03-10', dueToday: 2, dueSoon: 5, overdue: 1, newHandovers: 1, updates: 3, link: 'http://localhost:3000/#/queue' };
  const lists = {
    overdue: [{ caseId: 'ho-late', dueDate: '2026-03-09', caseType: 'handover' as const }],
    today: [{ caseId: 'fu-1', dueDate: '2026-03-10', caseType: 'follow_up' as const }, { caseId: 'health_check:s-00012:2026-01-01', dueDate: '2026-03-10', caseType: 'health_check' as const }],
    soon: Array.from({ length: 25 }, (_, i) => ({ caseId: `fu-${i + 10}`, dueDate: '2026-03-12', caseType: 'follow_up' as const })),
    newHandovers: [{ caseId: 'ho-new', dueDate: '2026-04-09', caseType: 'handover' as const }],
  };

  it('SMS: counts and a link, no case id', () => {
    const zh = renderDigest('sms', 'zh-CN', counts, lists);
    expect(zh.text).toBe('【属地】2026-03-10待办：今日到期2件，3日内到期5件，逾期1件，新移交1件，其他通知3条。详见http://localhost:3000/#/queue');
    const en = renderDigest('sms', 'en', counts, lists);
    expect(en.text).toBe('[shudi] 2026-03-10: 2 due today, 5 due within 3 days, 1 overdue, 1 new handovers, 3 other notices. Open: http://localhost:3000/#/queue');
  });

  it('e-mail: the counts, then case ids and due dates by section (20 at most each), no personal data', () => {
    const m = renderDigest('email', 'zh-CN', { ...counts, dueSoon: 25 }, lists);
    expect(m.subject).toBe('属地：2026-03-10每日待办');
    expect(m.asciiSubject).toBe('shudi: Daily summary 2026-03-10');
    expect(m.text).toContain('  - ho-late  移交，2026-03-09到期');
    expect(m.text).toContain('  - health_check:s-00012:2026-01-01  定期服务，2026-03-10到期');
    expect(m.text).toContain('……另有5件');
    expect(m.text.match(/fu-\d+ /g)).toHaveLength(21);
    const en = renderDigest('email', 'en', counts, lists);
    expect(en.text).toContain('  - ho-new  handover, due 2026-04-09');
    expect(() => renderDigest('email', 'en', counts, { ...lists, today: [{ caseId: FAKE.name, dueDate: '2026-03-10' }] })).toThrow(BadParamValueError);
  });
});
