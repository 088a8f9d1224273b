// The daily digest: counts by scope, e-mail lists with case ids and due dates, nothing when there is nothing to
// report, and a rerun on the same day that adds nothing.
import { describe, expect, it } from 'vitest';
import { LocalSink } from '../../functions/adapters/local-sink';
import { businessInstant } from '../../functions/domain/time';
import { reminderRuntime, updateStaff } from './helpers';

const at = (date: string, hhmm: string) => businessInstant(date, hhmm);

describe('the daily digest', () => {
  it('counts each scope, lists case ids and due dates by e-mail only, skips staff with nothing to report, and runs once a day', async () => {
    const sink = new LocalSink();
    const rt = await reminderRuntime(at('2026-03-09', '07:00'), { notifier: sink });
    await updateStaff(rt, 'co-east-a-2', { channel: 'email', language: 'en' });
    await rt.openCase({ type: 'handover', caseId: 'ho-A', subjectId: 's-000004', reason: 'resigned', separationDate: '2026-02-08' }); // due 03-10
    await rt.openCase({ type: 'follow_up', caseId: 'fu-2', subjectId: 's-000011', trigger: 'manual', eventDate: '2026-03-09', windowEnd: '2026-03-11' });
    await rt.advanceTo(at('2026-03-09', '09:00'));

    const mon = sink.all();
    const sms = mon.find((r) => r.staffId === 'co-east-a-1')!;
    expect(sms.text).toBe('【属地】2026-03-09待办：今日到期0件，3日内到期2件，逾期0件，新移交1件，其他通知1条。详见http://localhost:3000/#/queue');
    const email = mon.find((r) => r.staffId === 'co-east-a-2')!;
    expect(email.subject).toBe('shudi: Daily summary 2026-03-09');
    expect(email.text).toBe(
      [
        '2026-03-09: 0 due today, 2 due within 3 days, 0 overdue, 1 new handovers, 1 other notices.',
        '',
        'Due within 3 days (2)',
        '  - ho-A  handover, due 2026-03-10',
        '  - fu-2  follow-up visit, due 2026-03-11',
        '',
        'New handovers (1)',
        '  - ho-A  handover, due 2026-03-10',
        '',
        'Open: http://localhost:3000/#/queue',
        '',
        'Sent by shudi. This message carries no personal data.',
      ].join('\n'),
    );
    // The street officer's queue is empty (both cases sit in the community) and no notice is pending for her: nothing.
    expect(mon.filter((r) => r.staffId === 'so-east-1')).toEqual([]);
    expect(mon.map((r) => r.staffId).sort()).toEqual(['co-east-a-1', 'co-east-a-2', 'dm-tiny', 'sm-east']);

    // A rerun of the same day's digest writes nothing new and sends nothing again.
    const again = await rt.digest.run('2026-03-09');
    expect(again).toMatchObject({ written: 0, existing: 4 });
    await rt.advanceTo(at('2026-03-09', '12:00'));
    expect(sink.all()).toHaveLength(4);

    // Wednesday: ho-A is overdue and sits in the street's queue: the street officer hears of it.
    await rt.advanceTo(at('2026-03-11', '09:00'));
    const so = sink.all().filter((r) => r.staffId === 'so-east-1');
    expect(so.map((r) => r.text)).toEqual(['【属地】2026-03-11待办：今日到期0件，3日内到期0件，逾期1件，新移交0件，其他通知0条。详见http://localhost:3000/#/queue']);
    // The community officer still counts it as her own overdue case, with fu-2 due today.
    expect(sink.all().find((r) => r.staffId === 'co-east-a-1' && r.text.includes('2026-03-11待办'))?.text).toContain('今日到期1件，3日内到期0件，逾期1件');
  });

  it('goes out on working days by default: on a rest day only to staff who asked for every day; the rest get it on the next working day', async () => {
    const sink = new LocalSink();
    // Saturday 4 April 2026 is in the Qingming break (4–6 April); Tuesday 7 April the next working day.
    const rt = await reminderRuntime(at('2026-04-03', '18:00'), { notifier: sink });
    await updateStaff(rt, 'co-east-a-2', { digestDays: 'every_day' });
    await rt.openCase({ type: 'follow_up', caseId: 'fu-r', subjectId: 's-000011', trigger: 'manual', eventDate: '2026-04-03', windowEnd: '2026-04-09' });
    await rt.advanceTo(at('2026-04-04', '09:00'));
    expect(sink.all().map((r) => r.staffId)).toEqual(['co-east-a-2']);
    expect(await rt.digest.run('2026-04-05')).toMatchObject({ written: 0, existing: 0 });
    const sunday = await rt.digest.run('2026-04-05');
    expect(sunday.restDay).toBeGreaterThan(0);
    await rt.advanceTo(at('2026-04-07', '09:00'));
    // Her colleague's items waited: the opening notice arrives in Tuesday's digest, once.
    const co1 = sink.all().filter((r) => r.staffId === 'co-east-a-1');
    expect(co1).toHaveLength(1);
    expect(co1[0]!.text).toMatch(/^【属地】2026-04-07待办：.*其他通知1条/);
  });
});
