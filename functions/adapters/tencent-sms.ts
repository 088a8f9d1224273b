// Tencent Cloud SMS (API 2021-01-11, SendSms) behind the SmsGateway interface, through the official SDK.
// One request per message: PhoneNumberSet = [the E.164 number], SmsSdkAppId, SignName = the approved signature,
// TemplateId = the approved template the district config maps the message template to, TemplateParamSet = the mapped
// params by position, SessionContext = the dedupe key (it comes back in delivery receipts). The per-number Code of
// the answer, or the code of a thrown error, is classified (sms-provider.ts); neither the number nor a param is ever
// put in an error or a log.
import { sms } from 'tencentcloud-sdk-nodejs-sms';
import type { TencentSmsConfig } from '../domain/delivery-config';
import type { SmsGateway } from './sms-gateway';
import { mappedTemplate, outcomeOf, type SmsErrorClass, type SmsRequest, type SmsResult } from './sms-provider';

type SdkClient = InstanceType<typeof sms.v20210111.Client>;
export type TencentSendSmsRequest = Parameters<SdkClient['SendSms']>[0];
export type TencentSendSmsResponse = Awaited<ReturnType<SdkClient['SendSms']>>;

/** The part of the SDK client the gateway calls (tests pass the SDK's client with this method mocked). */
export interface TencentSmsClient {
  SendSms(req: TencentSendSmsRequest): Promise<TencentSendSmsResponse>;
}

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
}

/** The SDK client for a SecretId/SecretKey pair (read from Secrets Manager at cold start). */
export function tencentSmsClient(creds: TencentCredentials, region: string): TencentSmsClient {
  return new sms.v20210111.Client({
    credential: { secretId: creds.secretId, secretKey: creds.secretKey },
    region,
    profile: { httpProfile: { endpoint: 'sms.tencentcloudapi.com', reqTimeout: 10 } },
  });
}

/** Tencent's codes: the per-number `Code` of SendStatusSet and the codes of API errors. */
export function classifyTencentCode(code: string): SmsErrorClass {
  if (code.startsWith('LimitExceeded') || code.startsWith('RequestLimitExceeded')) return 'throttled';
  if (
    code === 'InvalidParameterValue.IncorrectPhoneNumber' ||
    code === 'FailedOperation.PhoneNumberInBlacklist' ||
    code === 'FailedOperation.PhoneNumberParseFail' ||
    code === 'UnsupportedOperation.UnsupportedRegion' ||
    code === 'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber'
  )
    return 'bad_number';
  if (
    code === 'FailedOperation.TemplateIncorrectOrUnapproved' ||
    code === 'FailedOperation.SignatureIncorrectOrUnapproved' ||
    code === 'FailedOperation.ContainSensitiveWord' ||
    code === 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate' ||
    code.startsWith('InvalidParameterValue.TemplateParameter') ||
    code === 'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter' ||
    code === 'InvalidParameterValue.ContentLengthLimit'
  )
    return 'template';
  return 'retry';
}

export class TencentSmsGateway implements SmsGateway {
  constructor(
    private readonly config: Pick<TencentSmsConfig, 'sdkAppId' | 'signName' | 'templates'>,
    private readonly client: TencentSmsClient,
  ) {}

  /** The exact SendSms request for a message (exported for the tests and the local stand-in). */
  request(req: SmsRequest): TencentSendSmsRequest {
    const t = mappedTemplate('tencent', this.config.templates, req);
    return {
      PhoneNumberSet: [req.to],
      SmsSdkAppId: this.config.sdkAppId,
      SignName: this.config.signName,
      TemplateId: t.code,
      TemplateParamSet: t.values,
      SessionContext: req.dedupeKey,
    };
  }

  async send(req: SmsRequest): Promise<SmsResult> {
    const request = this.request(req);
    let res: TencentSendSmsResponse;
    try {
      res = await this.client.SendSms(request);
    } catch (err) {
      // TencentCloudSDKHttpException carries the API error's code; a network error or timeout has none.
      const code = typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code ? (err as { code: string }).code : (err as Error).name || 'Error';
      return outcomeOf('tencent', classifyTencentCode(code), code, err);
    }
    const status = res.SendStatusSet?.[0];
    const code = status?.Code ?? 'NoStatus';
    if (code === 'Ok') return { status: 'accepted', ...(status?.SerialNo ? { providerId: status.SerialNo } : {}) };
    return outcomeOf('tencent', classifyTencentCode(code), code);
  }
}
