// Retention: a subject who moved out of the district or aged out leaves the register; once the
// retention period (default 2 years) has passed, the daily job erases her personal fields. Her
// cases and their history stay as they were: they carry only her pseudonymous id.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETENTION_YEARS,
  erasureDate,
  retentionEnd,
  keptOf,
  latestErasableLeftOn,
  leaveRegister,
  LeaveRejected,
  markSubjectLeft,
  RetentionConfigError,
  retentionYears,
  runRetention,
} from '../../functions/app/retention';
import { jobsBetween } from '../../functions/app/schedule';
import type { Subject } from '../../functions/domain/people';
import { businessInstant } from '../../functions/domain/time';
import { createRetentionHandler } from '../../functions/handlers/retention-handler';
import { keys } from '../../functions/store/keys';
import { testDocumentClient } from '../support/dynamodb';
import { reliabilityRuntime } from './support/runtime';
import { scanTexts } from './support/privacy';
import { scanAll } from './support/table';

const at = (date: string, hhmm = '10:00') => businessInstant(date, hhmm);
const subject: Subject = { subjectId: 's-1', class: 'primary', communityId: 'east-a', registeredOn: '2020-03-01' };

describe('retention rules (pure)', () => {
  it('a subject leaves the register on a past date, once', () => {
    const d = leaveRegister(subject, { on: '2026-05-04', reason: 'moved_away' }, '2026-05-04');
    expect(d).toEqual({ ok: true, changed: true, subject: { ...subject, leftOn: '2026-05-04', leftReason: 'moved_away' } });
    if (!d.ok) throw new Error('unreachable');
    expect(leaveRegister(d.subject, { on: '2026-05-04', reason: 'moved_away' }, '2026-06-01')).toMatchObject({ ok: true, changed: false });
    expect(leaveRegister(d.subject, { on: '2026-05-05', reason: 'moved_away' }, '2026-06-01')).toMatchObject({ ok: false, reason: expect.stringMatching(/left the register on 2026-05-04 already/) });
    expect(leaveRegister(subject, { on: '2026-05-05', reason: 'aged_out' }, '2026-05-04')).toMatchObject({ ok: false, reason: expect.stringMatching(/in the future/) });
    expect(leaveRegister(subject, { on: '2019-01-01', reason: 'aged_out' }, '2026-05-04')).toMatchObject({ ok: false, reason: expect.stringMatching(/before she was registered/) });
    expect(leaveRegister(subject, { on: '2026-02-30', reason: 'aged_out' }, '2026-05-04')).toMatchObject({ ok: false });
  });

  it('the period counts from the next day (Civil Code art. 201): its last day is the anniversary, erasure the day after', () => {
    expect(retentionEnd('2026-05-04', 2)).toBe('2028-05-04');
    expect(erasureDate('2026-05-04', 2)).toBe('2028-05-05');
    // 29 February has no corresponding day: the period ends on the month's last day (art. 202).
    expect(retentionEnd('2028-02-29', 2)).toBe('2030-02-28');
    expect(erasureDate('2028-02-29', 2)).toBe('2030-03-01');
    expect(erasureDate('2026-12-31', 2)).toBe('2029-01-01');
    expect(latestErasableLeftOn('2028-05-04', 2)).toBe('2026-05-03');
    expect(latestErasableLeftOn('2028-05-05', 2)).toBe('2026-05-04');
    expect(latestErasableLeftOn('2030-03-01', 2)).toBe('2028-02-29');
    expect(latestErasableLeftOn('2029-03-02', 1)).toBe('2028-03-01');
    // The two are inverse: a record is due exactly from its erasure date, never on the last day of its period.
    for (const left of ['2026-01-31', '2026-12-31', '2028-02-29', '2027-02-28', '2027-03-01']) {
      const due = erasureDate(left, 2);
      expect(latestErasableLeftOn(due, 2) >= left, left).toBe(true);
      expect(latestErasableLeftOn(retentionEnd(left, 2), 2) < left, left).toBe(true);
    }
  });

  it('the period defaults to 2 years; a district may keep longer, never shorter', () => {
    expect(retentionYears({ rules: {} })).toBe(DEFAULT_RETENTION_YEARS);
    expect(retentionYears({ rules: { retention: { years: 5 } } })).toBe(5);
    expect(() => retentionYears({ rules: { retention: { years: 1 } } })).toThrow(RetentionConfigError);
    expect(() => retentionYears({ rules: { retention: { years: 1 } } })).toThrow(/rules\.retention\.years: the source keeps these files at least 2 years/);
    expect(() => retentionYears({ rules: { retention: { months: 30 } } })).toThrow(/rules\.retention/);
  });

  it('what stays is an allowed list: any other field, known or added later, goes', () => {
    expect(keptOf({ ...subject, leftOn: '2026-05-04', leftReason: 'aged_out', name: '王秀英', phone: '13912345678', idNumber: '41270219900101002X' })).toEqual({ subjectId: 's-1', leftOn: '2026-05-04' });
  });

  it('the retention job runs every day at 02:00 Asia/Shanghai', () => {
    const jobs = jobsBetween(at('2026-05-04', '00:00'), at('2026-05-07', '00:00')).filter((j) => j.kind === 'retention');
    expect(jobs.map((j) => j.at)).toEqual([at('2026-05-04', '02:00'), at('2026-05-05', '02:00'), at('2026-05-06', '02:00')]);
  });
});

describe('retention on the local stack (virtual clock)', () => {
  it('erases the personal fields 2 years after she left, keeps her cases and history, holds a record with an open case', async () => {
    const rt = await reliabilityRuntime(at('2026-05-04'));
    const doc = testDocumentClient();
    const co = (c: string) => ({ kind: 'staff' as const, staffId: `co-${c}-1` });
    // s-000010 (east-b) has a closed follow-up; s-000011 (east-a) an open one.
    await rt.openCase({ type: 'follow_up', caseId: 'fu-gone', subjectId: 's-000010', trigger: 'service', eventDate: '2026-05-04' }, co('east-b'));
    await rt.act('fu-gone', { action: 'record_outcome', outcome: 'visited', date: '2026-05-04' }, co('east-b'), 'visit', 'east-b');
    await rt.openCase({ type: 'follow_up', caseId: 'fu-open', subjectId: 's-000011', trigger: 'birth', eventDate: '2026-05-04' }, co('east-a'));

    const deps = { register: rt.register, cases: rt.cases, audit: rt.parts.audit, clock: rt.clock, config: rt.district.config };
    expect(await markSubjectLeft(deps, 's-000010', { on: '2026-05-04', reason: 'moved_away' })).toMatchObject({ changed: true });
    expect(await markSubjectLeft(deps, 's-000010', { on: '2026-05-04', reason: 'moved_away' })).toMatchObject({ changed: false });
    await expect(markSubjectLeft(deps, 's-000010', { on: '2026-05-03', reason: 'moved_away' })).rejects.toThrow(LeaveRejected);
    await expect(markSubjectLeft(deps, 'nobody', { on: '2026-05-03', reason: 'moved_away' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await markSubjectLeft(deps, 's-000011', { on: '2026-05-04', reason: 'aged_out' })).toMatchObject({ changed: true });
    // A personal field a later import may add (a name for staff use), and a phone number by mistake.
    await doc.send(new UpdateCommand({ TableName: rt.tableName, Key: keys.subject('s-000010'), UpdateExpression: 'SET #n = :n, phone = :p', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': '王秀英', ':p': '13912345678' } }));

    // She is out of every list (no more health checks or notices), and listed as left.
    const ids = async (kind: 'community' | 'district', id: string) => (await rt.register.listSubjects({ id, kind }, { limit: 500 })).items.map((s) => s.subjectId);
    expect(await ids('community', 'east-b')).not.toContain('s-000010');
    expect(await ids('district', 'tiny')).not.toContain('s-000010');
    expect((await rt.register.listLeftSubjects('2026-05-04')).items.map((s) => s.subjectId)).toEqual(['s-000010', 's-000011']);
    rt.clock.set(at('2026-07-01', '00:30'));
    await rt.runJob({ kind: 'health_checks', at: at('2026-07-01', '00:30'), periodOf: '2026-07-01' });
    expect(await rt.cases.listForSubject('s-000010', 'open')).toEqual([]);
    expect((await rt.cases.listForSubject('s-000011', 'open')).map((c) => c.caseId)).toEqual(['fu-open']);
    expect((await rt.cases.listForSubject('s-000012', 'open')).length).toBe(1); // still on the register: checked

    const before = { gone: await rt.cases.getWithHistory('fu-gone'), open: await rt.cases.getWithHistory('fu-open') };
    const handler = createRetentionHandler(deps);

    // On the anniversary, the period's last day (it counts from the day after she left): nothing.
    rt.clock.set(at('2028-05-04', '02:00'));
    expect(await handler({})).toMatchObject({ date: '2028-05-04', years: 2, leftOnOrBefore: '2026-05-03', due: 0, erased: 0 });
    expect(await rt.register.getSubject('s-000010')).toMatchObject({ class: 'primary', communityId: 'east-b' });

    // The day after the period: erased; the one with an open case is held.
    rt.clock.set(at('2028-05-05', '02:00'));
    expect(await handler(undefined)).toMatchObject({ date: '2028-05-05', due: 2, erased: 1, heldByOpenCases: 1, skipped: 0 });
    expect(await rt.register.getSubject('s-000010')).toBeUndefined();
    expect(await rt.register.getErasedSubject('s-000010')).toEqual({ subjectId: 's-000010', leftOn: '2026-05-04', erasedOn: at('2028-05-05', '02:00') });
    expect(await rt.cases.getWithHistory('fu-gone')).toEqual(before.gone);
    expect((await doc.send(new GetCommand({ TableName: rt.tableName, Key: keys.subject('s-000011') }))).Item).toMatchObject({ leftOn: '2026-05-04', communityId: 'east-a' });
    const table = await scanAll(doc, rt.tableName);
    const hits = scanTexts({ needles: [{ label: 'name', value: '王秀英' }, { label: 'phone', value: '13912345678' }] }, table.map((i) => ({ source: `${String(i.PK)}|${String(i.SK)}`, text: JSON.stringify(i) })));
    expect(hits).toEqual([]);

    // Again: nothing more; once her case closes, the held record goes too.
    expect(await handler({ date: '2028-05-05' })).toMatchObject({ due: 1, erased: 0, heldByOpenCases: 1 });
    await rt.act('fu-open', { action: 'cancel', reason: 'aged out' }, co('east-a'), 'cancel', 'east-a');
    rt.clock.set(at('2028-05-06', '02:00'));
    expect(await handler({})).toMatchObject({ due: 1, erased: 1, heldByOpenCases: 0 });
    const after = await rt.cases.getWithHistory('fu-open');
    expect(after?.history.slice(0, before.open!.history.length)).toEqual(before.open!.history);
    expect(await handler({})).toMatchObject({ due: 0, erased: 0 });
    await expect(handler({ date: 'yesterday' })).rejects.toThrow(/retention event/);
  });

  it('a district that keeps records 3 years erases a year later; a record that changed meanwhile is skipped', async () => {
    const rt = await reliabilityRuntime(at('2026-05-04'));
    const deps = { register: rt.register, cases: rt.cases, clock: rt.clock, config: { rules: { retention: { years: 3 } } } };
    await markSubjectLeft(deps, 's-000012', { on: '2026-05-04', reason: 'moved_away' });
    rt.clock.set(at('2028-05-04', '02:00'));
    expect(await runRetention(deps)).toMatchObject({ years: 3, due: 0, erased: 0 });
    // Conditional: an erasure for another leaving date writes nothing.
    expect(await rt.register.eraseSubject('s-000012', '2026-05-05', ['subjectId'], at('2028-05-04', '02:00'))).toBe(false);
    expect(await rt.register.getSubject('s-000012')).toBeDefined();
    rt.clock.set(at('2029-05-04', '02:00'));
    expect(await runRetention(deps)).toMatchObject({ years: 3, leftOnOrBefore: '2026-05-03', due: 0, erased: 0 });
    rt.clock.set(at('2029-05-05', '02:00'));
    expect(await runRetention(deps)).toMatchObject({ years: 3, leftOnOrBefore: '2026-05-04', due: 1, erased: 1 });
    expect(await rt.register.getSubject('s-000012')).toBeUndefined();
  });
});
