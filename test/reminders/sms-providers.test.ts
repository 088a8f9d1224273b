// The Chinese SMS providers behind the SmsGateway interface, each through its official SDK client with the one
// method the gateway calls mocked: the exact request (sign name, template code, params in the mapped order, number,
// dedupe key), the classes of the providers' errors, and what never leaves (a param the template does not carry).
import { SendSmsResponse, SendSmsResponseBody } from '@alicloud/dysmsapi20170525';
import { describe, expect, it, vi } from 'vitest';
import { aliyunSmsClient, AliyunSmsGateway, classifyAliyunCode } from '../../functions/adapters/aliyun-sms';
import { TransientDeliveryError } from '../../functions/adapters/notifier';
import type { SmsRequest } from '../../functions/adapters/sms-gateway';
import { classifyTencentCode, tencentSmsClient, TencentSmsGateway, type TencentSendSmsResponse } from '../../functions/adapters/tencent-sms';
import { aliyunSms, tencentSms } from '../../functions/domain/delivery-config';
import { ForbiddenParamError } from '../../functions/domain/message-templates';

const templates = {
  'handover.overdue': { code: 'SMS_480100001', params: ['dueDate'] },
  'handover.escalated_district': { code: 'SMS_480100002', params: ['dueDate'] },
  // The provider's digest template takes the date, then the overdue count before the others.
  'digest.daily': { code: 'SMS_480100003', params: ['date', 'overdue', 'dueToday', 'dueSoon', 'newHandovers', 'updates'] },
};
const aliyunConfig = aliyunSms.parse({ provider: 'aliyun', signName: '川汇区政务', secretName: 'shudi/prod/chuanhui/sms-aliyun', templates });
const tencentConfig = tencentSms.parse({
  provider: 'tencent',
  sdkAppId: '1400006666',
  signName: '川汇区政务',
  secretName: 'shudi/prod/chuanhui/sms-tencent',
  templates: { 'handover.overdue': { code: '1987001', params: ['dueDate'] }, 'handover.escalated_district': { code: '1987002', params: ['dueDate'] }, 'digest.daily': { ...templates['digest.daily'], code: '1987003' } },
});

const PHONE = '+8613900000006';
const overdue: SmsRequest = {
  to: PHONE,
  text: '【属地】移交任务1件已于2026-03-31到期未办结，已转街道。详见http://localhost:3000/#/queue',
  dedupeKey: 'outbox:AbC123',
  template: { kind: 'handover.overdue', language: 'zh-CN', params: { dueDate: '2026-03-31' } },
};
const digest: SmsRequest = {
  to: PHONE,
  text: '(the rendered digest)',
  dedupeKey: 'digest:sm-xinhua:2026-03-10',
  template: { kind: 'digest.daily', language: 'zh-CN', params: { date: '2026-03-10', dueToday: 1, dueSoon: 2, overdue: 3, newHandovers: 4, updates: 5 } },
};

function aliyunWith(reply: Partial<{ code: string; bizId: string }> | Error) {
  const client = aliyunSmsClient({ accessKeyId: 'test-id', accessKeySecret: 'test-secret' });
  const sendSms = vi.spyOn(client as unknown as { sendSms: (...a: unknown[]) => unknown }, 'sendSms');
  if (reply instanceof Error) sendSms.mockRejectedValue(reply);
  else sendSms.mockResolvedValue(new SendSmsResponse({ statusCode: 200, headers: {}, body: new SendSmsResponseBody({ requestId: 'req-1', message: 'x', ...reply }) }));
  return { gateway: new AliyunSmsGateway(aliyunConfig, client), sendSms };
}

function tencentWith(reply: TencentSendSmsResponse | Error) {
  const client = tencentSmsClient({ secretId: 'test-id', secretKey: 'test-key' }, 'ap-guangzhou');
  const sendSms = vi.spyOn(client as unknown as { SendSms: (...a: unknown[]) => unknown }, 'SendSms');
  if (reply instanceof Error) sendSms.mockRejectedValue(reply);
  else sendSms.mockResolvedValue(reply);
  return { gateway: new TencentSmsGateway(tencentConfig, client), sendSms };
}

/** What an SDK error looks like: a code (Aliyun: ThrottlingError/ClientError; Tencent: TencentCloudSDKHttpException). */
const sdkError = (name: string, code?: string) => Object.assign(new Error(`${code ?? name} (request id r-1)`), { name, ...(code ? { code } : {}) });

async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    return err instanceof TransientDeliveryError ? 'retry' : err;
  }
}

describe('Aliyun SMS (dysmsapi SendSms)', () => {
  it('sends the approved template under the approved signature: number without +86, params as named strings, dedupe key as OutId', async () => {
    const { gateway, sendSms } = aliyunWith({ code: 'OK', bizId: 'biz-9' });
    expect(await gateway.send(overdue)).toEqual({ status: 'accepted', providerId: 'biz-9' });
    expect(sendSms).toHaveBeenCalledTimes(1);
    const req = sendSms.mock.calls[0]![0] as Record<string, unknown>;
    expect({ ...req }).toEqual({
      phoneNumbers: '13900000006',
      signName: '川汇区政务',
      templateCode: 'SMS_480100001',
      templateParam: '{"dueDate":"2026-03-31"}',
      outId: 'outbox:AbC123',
    });
  });

  it('the digest: params in the mapped order, each a string (Aliyun refuses numbers in TemplateParam)', async () => {
    const { gateway, sendSms } = aliyunWith({ code: 'OK' });
    await gateway.send(digest);
    const req = sendSms.mock.calls[0]![0] as { templateCode: string; templateParam: string };
    expect(req.templateCode).toBe('SMS_480100003');
    expect(req.templateParam).toBe('{"date":"2026-03-10","overdue":"3","dueToday":"1","dueSoon":"2","newHandovers":"4","updates":"5"}');
  });

  it('a number outside the mainland keeps its country code', () => {
    const { gateway } = aliyunWith({ code: 'OK' });
    expect(gateway.request({ ...overdue, to: '+85291234567' }).phoneNumbers).toBe('85291234567');
  });

  it('classifies the answers: a bad number or an unapproved template is refused for good (the channel is flagged), throttling and the rest are retried', async () => {
    const cases: [Partial<{ code: string }> | Error, unknown][] = [
      [{ code: 'isv.MOBILE_NUMBER_ILLEGAL' }, { status: 'rejected', reason: 'sms_bad_number:isv.MOBILE_NUMBER_ILLEGAL' }],
      [{ code: 'isv.SMS_TEMPLATE_ILLEGAL' }, { status: 'rejected', reason: 'sms_template:isv.SMS_TEMPLATE_ILLEGAL' }],
      [{ code: 'isv.SMS_SIGNATURE_ILLEGAL' }, { status: 'rejected', reason: 'sms_template:isv.SMS_SIGNATURE_ILLEGAL' }],
      [{ code: 'isv.TEMPLATE_MISSING_PARAMETERS' }, { status: 'rejected', reason: 'sms_template:isv.TEMPLATE_MISSING_PARAMETERS' }],
      [{ code: 'isv.BUSINESS_LIMIT_CONTROL' }, 'retry'],
      [{ code: 'isv.AMOUNT_NOT_ENOUGH' }, 'retry'],
      [{ code: 'isp.SYSTEM_ERROR' }, 'retry'],
      [sdkError('ThrottlingError', 'Throttling.User'), 'retry'],
      [sdkError('ServerError', 'ServiceUnavailable'), 'retry'],
      [sdkError('ClientError', 'InvalidAccessKeyId.NotFound'), 'retry'],
      [sdkError('RequestError'), 'retry'], // a timeout or a connection reset: no code
    ];
    for (const [reply, expected] of cases) {
      const { gateway } = aliyunWith(reply);
      expect([reply instanceof Error ? reply.message : reply.code, await outcome(gateway.send(overdue))]).toEqual([reply instanceof Error ? reply.message : reply.code, expected]);
    }
    expect(classifyAliyunCode('isv.DAY_LIMIT_CONTROL')).toBe('throttled');
    expect(classifyAliyunCode('Throttling.Api')).toBe('throttled');
  });

  it('an error names the provider code, never the number', async () => {
    const { gateway } = aliyunWith({ code: 'isv.BUSINESS_LIMIT_CONTROL' });
    const err = (await gateway.send(overdue).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TransientDeliveryError);
    expect(err.message).toContain('isv.BUSINESS_LIMIT_CONTROL');
    expect(`${err.message}${String(err.cause ?? '')}`).not.toContain('13900000006');
  });
});

describe('Tencent Cloud SMS (SendSms 2021-01-11)', () => {
  const ok: TencentSendSmsResponse = { SendStatusSet: [{ SerialNo: 'serial-1', PhoneNumber: PHONE, Fee: 1, SessionContext: 'outbox:AbC123', Code: 'Ok', Message: 'send success', IsoCode: 'CN' }], RequestId: 'r-1' };
  const failed = (Code: string): TencentSendSmsResponse => ({ SendStatusSet: [{ SerialNo: '', PhoneNumber: PHONE, Fee: 0, SessionContext: '', Code, Message: 'x', IsoCode: 'CN' }], RequestId: 'r-2' });

  it('sends the approved template: E.164 number, SdkAppId, sign name, template id, params by position, dedupe key as SessionContext', async () => {
    const { gateway, sendSms } = tencentWith(ok);
    expect(await gateway.send(overdue)).toEqual({ status: 'accepted', providerId: 'serial-1' });
    expect(sendSms.mock.calls[0]![0]).toEqual({
      PhoneNumberSet: ['+8613900000006'],
      SmsSdkAppId: '1400006666',
      SignName: '川汇区政务',
      TemplateId: '1987001',
      TemplateParamSet: ['2026-03-31'],
      SessionContext: 'outbox:AbC123',
    });
  });

  it('the digest: TemplateParamSet in the mapped order', async () => {
    const { gateway, sendSms } = tencentWith(ok);
    await gateway.send(digest);
    expect(sendSms.mock.calls[0]![0]).toMatchObject({ TemplateId: '1987003', TemplateParamSet: ['2026-03-10', '3', '1', '2', '4', '5'] });
  });

  it('classifies the per-number codes and the API errors', async () => {
    const cases: [TencentSendSmsResponse | Error, unknown][] = [
      [failed('InvalidParameterValue.IncorrectPhoneNumber'), { status: 'rejected', reason: 'sms_bad_number:InvalidParameterValue.IncorrectPhoneNumber' }],
      [failed('FailedOperation.PhoneNumberInBlacklist'), { status: 'rejected', reason: 'sms_bad_number:FailedOperation.PhoneNumberInBlacklist' }],
      [failed('FailedOperation.TemplateIncorrectOrUnapproved'), { status: 'rejected', reason: 'sms_template:FailedOperation.TemplateIncorrectOrUnapproved' }],
      [failed('FailedOperation.SignatureIncorrectOrUnapproved'), { status: 'rejected', reason: 'sms_template:FailedOperation.SignatureIncorrectOrUnapproved' }],
      [failed('LimitExceeded.PhoneNumberDailyLimit'), 'retry'],
      [failed('LimitExceeded.DeliveryFrequencyLimit'), 'retry'],
      [failed('FailedOperation.InsufficientBalanceInSmsPackage'), 'retry'],
      [failed('InternalError.Timeout'), 'retry'],
      [sdkError('TencentCloudSDKHttpException', 'RequestLimitExceeded'), 'retry'],
      [sdkError('TencentCloudSDKHttpException', 'AuthFailure.SecretIdNotFound'), 'retry'],
      [sdkError('TencentCloudSDKHttpException', 'FailedOperation.TemplateIncorrectOrUnapproved'), { status: 'rejected', reason: 'sms_template:FailedOperation.TemplateIncorrectOrUnapproved' }],
      [sdkError('TypeError'), 'retry'], // fetch failed
    ];
    for (const [reply, expected] of cases) {
      const { gateway } = tencentWith(reply);
      const label = reply instanceof Error ? reply.message : reply.SendStatusSet![0]!.Code;
      expect([label, await outcome(gateway.send(overdue))]).toEqual([label, expected]);
    }
    expect(classifyTencentCode('LimitExceeded.PhoneNumberThirtySecondLimit')).toBe('throttled');
  });
});

describe('what a provider is given', () => {
  it('a param the message template does not carry (a name, a phone) is refused before the provider is called', async () => {
    for (const make of [() => aliyunWith({ code: 'OK' }), () => tencentWith({ SendStatusSet: [], RequestId: 'r' })]) {
      const { gateway, sendSms } = make();
      const leaky: SmsRequest = { ...overdue, template: { kind: 'handover.overdue', language: 'zh-CN', params: { dueDate: '2026-03-31', name: '王秀英' } } };
      await expect(gateway.send(leaky)).rejects.toBeInstanceOf(ForbiddenParamError);
      const phoneAsDate: SmsRequest = { ...overdue, template: { kind: 'handover.overdue', language: 'zh-CN', params: { dueDate: '13900000006' } } };
      await expect(gateway.send(phoneAsDate)).rejects.toThrow(/is not a date/);
      expect(sendSms).not.toHaveBeenCalled();
    }
  });

  it('only the mapped params go out, in the mapping order, and nothing else of the message (no text, no link)', async () => {
    const { gateway, sendSms } = tencentWith({ SendStatusSet: [], RequestId: 'r' });
    await gateway.send(overdue).catch(() => undefined);
    const sent = JSON.stringify(sendSms.mock.calls[0]![0]);
    expect(sent).not.toContain('localhost');
    expect(sent).not.toContain('移交');
  });
});
