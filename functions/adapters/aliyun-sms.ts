// Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms) behind the SmsGateway interface, through the official SDK.
// One request per message: PhoneNumbers = the number (mainland without +86), SignName = the approved signature,
// TemplateCode = the approved template the district config maps the message template to, TemplateParam = the
// mapped params as a JSON object of strings in the mapping's order, OutId = the dedupe key (it comes back in
// delivery receipts). The answer's Code is classified (sms-provider.ts); neither the number nor a param is ever
// put in an error or a log.
import Dysmsapi, { SendSmsRequest, type SendSmsResponse } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { AliyunSmsConfig } from '../domain/delivery-config';
import type { SmsGateway } from './sms-gateway';
import { aliyunPhoneNumber, mappedTemplate, outcomeOf, type SmsErrorClass, type SmsRequest, type SmsResult } from './sms-provider';

/** The part of the SDK client the gateway calls (tests pass the SDK's client with this method mocked). */
export interface AliyunSmsClient {
  sendSms(request: SendSmsRequest): Promise<SendSmsResponse>;
}

/** Credentials as the secret holds them (JSON SecretString). */
export interface AliyunCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

// The package is CommonJS with `exports.default`: under Node's ESM loader the default import is the module object.
const DysmsapiClient = ((Dysmsapi as unknown as { default?: typeof Dysmsapi }).default ?? Dysmsapi) as typeof Dysmsapi;

/** The SDK client for an AccessKey pair (read from Secrets Manager at cold start). */
export function aliyunSmsClient(creds: AliyunCredentials, endpoint = 'dysmsapi.aliyuncs.com'): AliyunSmsClient {
  return new DysmsapiClient(new $OpenApiUtil.Config({ ...creds, endpoint, connectTimeout: 3_000, readTimeout: 5_000 }));
}

const BAD_NUMBER = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.PHONE_NUMBER_ILLEGAL', 'isv.NOT_SUPPORTED_COUNTRY', 'isv.COUNTRY_RESTRICTED', 'isv.MOBILE_IN_BLACK']);
const TEMPLATE = new Set([
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_SIGN_NAME_ILLEGAL',
  'isv.SIGN_NAME_ILLEGAL',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.TEMPLATE_PARAMS_ILLEGAL',
  'isv.INVALID_JSON_PARAM',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.PARAM_NOT_SUPPORT_URL',
  'isv.BLACK_KEY_CONTROL_LIMIT',
]);

/** Aliyun's codes: business answers (`isv.*`, `isp.*`) and the gateway's (`Throttling.*`, …). */
export function classifyAliyunCode(code: string): SmsErrorClass {
  if (BAD_NUMBER.has(code)) return 'bad_number';
  if (TEMPLATE.has(code)) return 'template';
  if (code.startsWith('Throttling') || /LIMIT_CONTROL|BUSINESS_LIMIT/.test(code)) return 'throttled';
  return 'retry';
}

export class AliyunSmsGateway implements SmsGateway {
  constructor(
    private readonly config: Pick<AliyunSmsConfig, 'signName' | 'templates'>,
    private readonly client: AliyunSmsClient,
  ) {}

  /** The exact SendSms request for a message (exported for the tests and the local stand-in). */
  request(req: SmsRequest): SendSmsRequest {
    const t = mappedTemplate('aliyun', this.config.templates, req);
    const params: Record<string, string> = {};
    t.names.forEach((name, i) => (params[name] = t.values[i]!));
    return new SendSmsRequest({
      phoneNumbers: aliyunPhoneNumber(req.to),
      signName: this.config.signName,
      templateCode: t.code,
      templateParam: JSON.stringify(params),
      outId: req.dedupeKey.slice(0, 64),
    });
  }

  async send(req: SmsRequest): Promise<SmsResult> {
    const request = this.request(req);
    let res: SendSmsResponse;
    try {
      res = await this.client.sendSms(request);
    } catch (err) {
      // The SDK throws ThrottlingError, ClientError, ServerError (with a code) or a network error (without one).
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : (err as Error).name || 'Error';
      return outcomeOf('aliyun', classifyAliyunCode(code), code, err);
    }
    const code = res.body?.code ?? 'NoCode';
    if (code === 'OK') return { status: 'accepted', ...(res.body?.bizId ? { providerId: res.body.bizId } : {}) };
    return outcomeOf('aliyun', classifyAliyunCode(code), code);
  }
}
