// The publisher's call to the deliverMessage function (LambdaNotifier, with a mocked Lambda client: the exact
// Invoke request) and the function's logic: the outcome answered back, anything worth a retry answered as `retry`
// so the publisher keeps the item pending, never the address in an answer.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaNotifier } from '../../functions/adapters/lambda-notifier';
import { TransientDeliveryError, type OutboundMessage } from '../../functions/adapters/notifier';
import { createDeliverMessage } from '../../functions/handlers/deliver-message';

const message: OutboundMessage = {
  dedupeKey: 'outbox:AbC',
  channel: 'sms',
  staffId: 'sm-xinhua',
  orgUnitId: 'xinhua',
  kind: 'handover.overdue',
  language: 'zh-CN',
  to: '+8613900000002',
  text: '【属地】移交任务1件已于2026-03-31到期未办结，已转街道。',
  params: { dueDate: '2026-03-31' },
  at: '2026-04-01T00:00:00.000Z',
};

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());
// The SDK's Payload type is a blob adapter; the notifier reads it as bytes.
const payload = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)) as never;

describe('LambdaNotifier', () => {
  it('invokes the function synchronously with the message and returns its outcome', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ status: 'sent', providerId: 'biz-1' }) });
    const n = new LambdaNotifier(new LambdaClient({ region: 'cn-northwest-1' }), 'shudi-prod-chuanhui-deliver');
    expect(await n.send(message)).toEqual({ status: 'sent', providerId: 'biz-1' });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect({ ...input, Payload: JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) }).toEqual({
      FunctionName: 'shudi-prod-chuanhui-deliver',
      InvocationType: 'RequestResponse',
      Payload: { message },
    });
  });

  it('an undeliverable or rejected answer is returned; retry, a function error or an unreachable function throw for a retry', async () => {
    const n = new LambdaNotifier(new LambdaClient({ region: 'cn-northwest-1' }), 'f');
    lambda.on(InvokeCommand).resolves({ Payload: payload({ status: 'undeliverable', reason: 'sms_bad_number:isv.MOBILE_NUMBER_ILLEGAL' }) });
    expect(await n.send(message)).toEqual({ status: 'undeliverable', reason: 'sms_bad_number:isv.MOBILE_NUMBER_ILLEGAL' });
    lambda.on(InvokeCommand).resolves({ Payload: payload({ status: 'retry', reason: 'TransientDeliveryError: aliyun SMS throttled: isv.BUSINESS_LIMIT_CONTROL' }) });
    await expect(n.send(message)).rejects.toThrow(/throttled/);
    lambda.on(InvokeCommand).resolves({ FunctionError: 'Unhandled', Payload: payload({ errorType: 'Error' }) });
    await expect(n.send(message)).rejects.toBeInstanceOf(TransientDeliveryError);
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('rate'), { name: 'TooManyRequestsException' }));
    await expect(n.send(message)).rejects.toBeInstanceOf(TransientDeliveryError);
    lambda.on(InvokeCommand).resolves({ Payload: payload({ status: 'maybe' }) });
    await expect(n.send(message)).rejects.toBeInstanceOf(TransientDeliveryError);
  });
});

describe('deliverMessage', () => {
  it('answers the notifier outcome; a throw becomes retry with a reason that names no address', async () => {
    const ok = createDeliverMessage({ send: async () => ({ status: 'sent', providerId: 'p' }) });
    expect(await ok({ message })).toEqual({ status: 'sent', providerId: 'p' });
    const failing = createDeliverMessage({ send: async () => Promise.reject(new TransientDeliveryError('tencent SMS throttled: LimitExceeded.PhoneNumberDailyLimit')) });
    const answer = await failing({ message });
    expect(answer).toEqual({ status: 'retry', reason: 'TransientDeliveryError: tencent SMS throttled: LimitExceeded.PhoneNumberDailyLimit' });
    expect(JSON.stringify(answer)).not.toContain('13900000002');
  });

  it('a malformed event is refused (a wiring bug: the function fails, the publisher retries)', async () => {
    const h = createDeliverMessage({ send: async () => ({ status: 'sent' }) });
    await expect(h({ message: { ...message, channel: 'fax' } })).rejects.toThrow();
    await expect(h({})).rejects.toThrow();
  });
});
