// The SNS adapter, with the SNS client mocked (aws-sdk-client-mock): the exact PublishCommand of each message, the
// errors it maps, the subscriptions the register asks for, and the publisher publishing an urgent notice to SNS.
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SetSubscriptionAttributesCommand, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { TransientDeliveryError, type OutboundMessage } from '../../functions/adapters/notifier';
import { SnsNotifier } from '../../functions/adapters/sns-notifier';
import { planSubscriptions, syncSubscriptions } from '../../functions/adapters/sns-subscriptions';
import type { Staff } from '../../functions/domain/people';
import { businessInstant } from '../../functions/domain/time';
import { allSubjects } from '../support/runtime';
import { reminderRuntime } from './helpers';

const TOPIC = 'arn:aws-cn:sns:cn-north-1:123456789012:shudi-prod-tiny-reminders';
const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const sms: OutboundMessage = {
  dedupeKey: 'outbox:AbCdEf0123456789abcdef',
  channel: 'sms',
  staffId: 'sm-east',
  orgUnitId: 'east',
  kind: 'handover.overdue',
  language: 'zh-CN',
  to: '+8613900000002',
  text: '【属地】移交任务1件已于2026-03-10到期未办结，已转街道。详见http://localhost:3000/#/queue',
  caseId: 'ho-late',
  at: '2026-03-11T00:00:00.000Z',
};

describe('SnsNotifier', () => {
  it('publishes an SMS to the district topic with the filterable attributes, and no address', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const out = await new SnsNotifier(new SNSClient({ region: 'cn-north-1' }), TOPIC).send(sms);
    expect(out).toEqual({ status: 'sent', providerId: 'msg-1' });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      Message: '【属地】移交任务1件已于2026-03-10到期未办结，已转街道。详见http://localhost:3000/#/queue',
      MessageAttributes: {
        channel: { DataType: 'String', StringValue: 'sms' },
        orgUnitId: { DataType: 'String', StringValue: 'east' },
        staffId: { DataType: 'String', StringValue: 'sm-east' },
        kind: { DataType: 'String', StringValue: 'handover.overdue' },
        language: { DataType: 'String', StringValue: 'zh-CN' },
        dedupeKey: { DataType: 'String', StringValue: 'outbox:AbCdEf0123456789abcdef' },
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      },
    });
    expect(JSON.stringify(calls[0]!.args[0].input)).not.toContain('13900000002');
  });

  it('publishes an e-mail with an ASCII subject', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });
    await new SnsNotifier(new SNSClient({ region: 'cn-north-1' }), TOPIC).send({
      ...sms,
      channel: 'email',
      to: 'sm-east@example.cn',
      language: 'en',
      subject: 'shudi: Handover task overdue',
      asciiSubject: 'shudi: Handover task overdue',
      text: 'body',
    });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      Message: 'body',
      Subject: 'shudi: Handover task overdue',
      MessageAttributes: {
        channel: { DataType: 'String', StringValue: 'email' },
        orgUnitId: { DataType: 'String', StringValue: 'east' },
        staffId: { DataType: 'String', StringValue: 'sm-east' },
        kind: { DataType: 'String', StringValue: 'handover.overdue' },
        language: { DataType: 'String', StringValue: 'en' },
        dedupeKey: { DataType: 'String', StringValue: 'outbox:AbCdEf0123456789abcdef' },
      },
    });
  });

  it('maps a refused message to rejected and throttling to a transient error', async () => {
    const notifier = new SnsNotifier(new SNSClient({ region: 'cn-north-1' }), TOPIC);
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('bad'), { name: 'InvalidParameterException' }));
    expect(await notifier.send(sms)).toEqual({ status: 'rejected', reason: 'sns_invalid_parameter' });
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottledException' }));
    await expect(notifier.send(sms)).rejects.toBeInstanceOf(TransientDeliveryError);
  });
});

describe('subscriptions from the register', () => {
  const staff = (id: string, channel: Staff['channel'], phone = '+8613900000001', email = `${id}@example.cn`): Staff => ({
    staffId: id,
    name: `Staff ${id}`,
    role: 'community_officer',
    orgUnitId: 'east-a',
    phone,
    email,
    channel,
    language: 'zh-CN',
    quietHours: { start: '21:00', end: '08:00' },
  });

  it('SNS SMS: one sms and/or email subscription per staff member, filtered on channel and staff id; bad addresses reported', () => {
    const plan = planSubscriptions([staff('b', 'both'), staff('a', 'sms'), staff('c', 'none'), staff('d', 'email', '+8613900000004', 'nope'), staff('e', 'sms', '139')], { smsVia: 'sns' });
    expect(plan.subscriptions).toEqual([
      { protocol: 'sms', endpoint: '+8613900000001', filterPolicy: { channel: ['sms'], staffId: ['a'] }, staffId: 'a' },
      { protocol: 'sms', endpoint: '+8613900000001', filterPolicy: { channel: ['sms'], staffId: ['b'] }, staffId: 'b' },
      { protocol: 'email', endpoint: 'b@example.cn', filterPolicy: { channel: ['email'], staffId: ['b'] }, staffId: 'b' },
    ]);
    expect(plan.invalid).toEqual([
      { staffId: 'd', flag: { channel: 'email', reason: 'invalid_email' } },
      { staffId: 'e', flag: { channel: 'sms', reason: 'invalid_phone' } },
    ]);
  });

  it('China regions: SMS through one gateway Lambda subscription on channel sms', () => {
    const plan = planSubscriptions([staff('a', 'both')], { smsVia: 'gateway', gatewayFunctionArn: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:sms-gateway' });
    expect(plan.subscriptions).toEqual([
      { protocol: 'lambda', endpoint: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:sms-gateway', filterPolicy: { channel: ['sms'] } },
      { protocol: 'email', endpoint: 'a@example.cn', filterPolicy: { channel: ['email'], staffId: ['a'] }, staffId: 'a' },
    ]);
  });

  it('SMS sent by a provider directly: no SMS subscription and no gateway, e-mail as before, a bad phone still flagged', () => {
    const plan = planSubscriptions([staff('a', 'both'), staff('e', 'sms', '139')], { smsVia: 'direct' });
    expect(plan.subscriptions).toEqual([{ protocol: 'email', endpoint: 'a@example.cn', filterPolicy: { channel: ['email'], staffId: ['a'] }, staffId: 'a' }]);
    expect(plan.invalid).toEqual([{ staffId: 'e', flag: { channel: 'sms', reason: 'invalid_phone' } }]);
  });

  it('e-mail sent by the district mail server: no e-mail subscription, so SNS holds no staff address; a bad address still flagged', () => {
    const staffList = [staff('a', 'both'), staff('b', 'email'), staff('d', 'email', '+8613900000004', 'nope')];
    const plan = planSubscriptions(staffList, { smsVia: 'sns', emailVia: 'direct' });
    expect(plan.subscriptions).toEqual([{ protocol: 'sms', endpoint: '+8613900000001', filterPolicy: { channel: ['sms'], staffId: ['a'] }, staffId: 'a' }]);
    expect(plan.invalid).toEqual([{ staffId: 'd', flag: { channel: 'email', reason: 'invalid_email' } }]);
    // Both channels direct (the China-region form): the topic gets no staff subscription at all.
    expect(planSubscriptions(staffList, { smsVia: 'direct', emailVia: 'direct' }).subscriptions).toEqual([]);
    // The default is SNS e-mail, as before.
    expect(planSubscriptions(staffList, { smsVia: 'direct' }).subscriptions.map((x) => x.protocol)).toEqual(['email', 'email']);
  });

  it('sync: subscribes what is missing with its filter policy, re-sets an existing policy, removes a staff subscription no longer wanted, reports a refused number', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'a@example.cn', SubscriptionArn: `${TOPIC}:sub-a` },
        { Protocol: 'email', Endpoint: 'gone@example.cn', SubscriptionArn: `${TOPIC}:sub-gone` },
        { Protocol: 'email', Endpoint: 'pending@example.cn', SubscriptionArn: 'PendingConfirmation' },
        { Protocol: 'lambda', Endpoint: 'arn:aws-cn:lambda:cn-north-1:1:function:other', SubscriptionArn: `${TOPIC}:sub-lambda` },
      ],
    });
    // (aws-sdk-client-mock: the more specific matcher goes after the general one)
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC}:new` });
    sns.on(SubscribeCommand, { Endpoint: '+8613900000009' }).rejects(Object.assign(new Error('Invalid parameter: SMS endpoint'), { name: 'InvalidParameterException' }));
    const client = new SNSClient({ region: 'cn-north-1' });
    const plan = [
      { protocol: 'email' as const, endpoint: 'a@example.cn', filterPolicy: { channel: ['email'], staffId: ['a'] }, staffId: 'a' },
      { protocol: 'sms' as const, endpoint: '+8613900000001', filterPolicy: { channel: ['sms'], staffId: ['b'] }, staffId: 'b' },
      { protocol: 'sms' as const, endpoint: '+8613900000009', filterPolicy: { channel: ['sms'], staffId: ['z'] }, staffId: 'z' },
    ];
    const result = await syncSubscriptions(client, TOPIC, plan);
    expect(result).toEqual({ subscribed: 1, updated: 1, unchanged: 0, removed: 1, rejected: [{ staffId: 'z', flag: { channel: 'sms', reason: 'sns_invalid_phone' } }] });
    expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input)).toEqual([
      {
        TopicArn: TOPIC,
        Protocol: 'sms',
        Endpoint: '+8613900000001',
        Attributes: { FilterPolicy: '{"channel":["sms"],"staffId":["b"]}', FilterPolicyScope: 'MessageAttributes' },
        ReturnSubscriptionArn: true,
      },
      {
        TopicArn: TOPIC,
        Protocol: 'sms',
        Endpoint: '+8613900000009',
        Attributes: { FilterPolicy: '{"channel":["sms"],"staffId":["z"]}', FilterPolicyScope: 'MessageAttributes' },
        ReturnSubscriptionArn: true,
      },
    ]);
    expect(sns.commandCalls(SetSubscriptionAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { SubscriptionArn: `${TOPIC}:sub-a`, AttributeName: 'FilterPolicy', AttributeValue: '{"channel":["email"],"staffId":["a"]}' },
    ]);
    expect(sns.commandCalls(UnsubscribeCommand).map((c) => c.args[0].input)).toEqual([{ SubscriptionArn: `${TOPIC}:sub-gone` }]);
  });
});

describe('the publisher on SNS', () => {
  it('an overdue handover: one PublishCommand to the street manager at 08:00 (after quiet hours), exactly as asserted', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-overdue' });
    const notifier = new SnsNotifier(new SNSClient({ region: 'cn-north-1' }), TOPIC);
    const rt = await reminderRuntime(businessInstant('2026-03-02', '10:00'), { notifier, dashboardUrl: 'https://shudi.example.cn' });
    const w = (await allSubjects(rt)).find((s) => s.class === 'co_managed' && s.communityId.startsWith('east'))!;
    await rt.openCase({ type: 'handover', caseId: 'ho-sns', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01' });
    await rt.advanceTo(businessInstant('2026-04-01', '07:59'), { jobs: false });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    await rt.advanceTo(businessInstant('2026-04-01', '08:00'), { jobs: false });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const [item] = (await rt.outbox.listForStaff('sm-east', 'sent'));
    expect(calls[0]!.args[0].input).toEqual({
      TopicArn: TOPIC,
      Message: '【属地】移交任务1件已于2026-03-31到期未办结，已转街道。详见https://shudi.example.cn/#/queue',
      MessageAttributes: {
        channel: { DataType: 'String', StringValue: 'sms' },
        orgUnitId: { DataType: 'String', StringValue: 'east' },
        staffId: { DataType: 'String', StringValue: 'sm-east' },
        kind: { DataType: 'String', StringValue: 'handover.overdue' },
        language: { DataType: 'String', StringValue: 'zh-CN' },
        dedupeKey: { DataType: 'String', StringValue: `outbox:${item!.outboxId}` },
        params: { DataType: 'String', StringValue: '{"dueDate":"2026-03-31"}' },
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      },
    });
    expect(item).toMatchObject({ template: 'handover.overdue', caseId: 'ho-sns', state: 'sent', channels: ['sms'], doneAt: businessInstant('2026-04-01', '08:00') });
    expect(item!.expiresAt).toBe(Math.floor(Date.parse(businessInstant('2026-04-01', '08:00')) / 1000) + 30 * 86_400);
  });
});
