// How a district's reminders leave the system, per channel: the `delivery` section of the district config.
//
//   sms:   sns     - the district's SNS topic, as in the global partition (SNS SMS, or the HTTP gateway subscriber)
//          aliyun  - Alibaba Cloud SMS (dysmsapi SendSms), called by the publisher
//          tencent - Tencent Cloud SMS (SendSms 2021-01-11), called by the publisher
//   email: sns     - the district's SNS topic (e-mail subscriptions)
//          smtp    - the district's own mail server over TLS (nodemailer), called by the publisher
//
// A Chinese SMS provider sends only pre-approved templates under an approved signature, with only the template's
// variables filled in: the config maps each message template (message-templates.ts) to the provider's template code
// and the order of its parameters. Every template the publisher sends on its own (urgent notices, the daily digest)
// must be mapped, and a mapping may only name the params the message template itself carries (dates, counts,
// periods: never a name, phone or anything about health). Credentials are never in the config: only the name of
// the Secrets Manager secret that holds them. Pure: no I/O.
import * as z from 'zod';
import { findPersonalData, TEMPLATES } from './message-templates';
import { DIGEST_TEMPLATE, URGENT_TEMPLATES } from './reminders';

/** The message templates that go out as messages of their own (and so as SMS): urgent notices and the digest. */
export function smsSentTemplates(): string[] {
  return Object.keys(TEMPLATES).filter((t) => t === DIGEST_TEMPLATE || URGENT_TEMPLATES.includes(t));
}

/** A Secrets Manager secret, by name or complete ARN: only the name is configured, the value is read at run time. */
const secretName = z
  .string()
  .regex(/^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/, 'a Secrets Manager secret name (letters, digits and /_+=.@-) or complete ARN');

/** The approved signature (签名): 2–20 characters, Chinese, letters or digits, without the 【】 the carrier adds. */
const signName = z
  .string()
  .regex(/^[\p{Script=Han}A-Za-z0-9]{2,20}$/u, 'a sign name is 2–20 Chinese characters, letters or digits, without 【】')
  // It heads every SMS: like the text, it says nothing about health (a neutral office name, e.g. 川汇区政务).
  .refine((v) => findPersonalData(v).length === 0 && !/卫健|卫生|计生/.test(v), 'a sign name heads every SMS and must say nothing about health: use a neutral office name');

export const smsTemplateMapping = z.strictObject({
  /** The provider's approved template: Aliyun `SMS_…` code, Tencent numeric template id. */
  code: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a template code is letters, digits, _ and -'),
  /**
   * The message template's params in the order the provider's template takes them (Tencent: TemplateParamSet by
   * position; Aliyun: TemplateParam, the template's variables named as these params).
   */
  params: z.array(z.string()).max(10),
});

const templates = z.record(z.string(), smsTemplateMapping);

/** Checks a provider's mapping against the message templates: known names, allowed params, nothing sent unmapped. */
function checkMapping(mapping: Record<string, z.infer<typeof smsTemplateMapping>>, ctx: z.RefinementCtx): void {
  for (const [name, m] of Object.entries(mapping)) {
    const def = TEMPLATES[name];
    if (!def) {
      ctx.addIssue({ code: 'custom', path: ['templates', name], message: `no message template "${name}" (message templates: functions/domain/message-templates.ts)` });
      continue;
    }
    const seen = new Set<string>();
    m.params.forEach((p, i) => {
      if (!def.params.includes(p))
        ctx.addIssue({
          code: 'custom',
          path: ['templates', name, 'params', i],
          message: `message template ${name} has no param "${p}"; an SMS may carry only ${def.params.join(', ') || 'no params'}`,
        });
      else if (seen.has(p)) ctx.addIssue({ code: 'custom', path: ['templates', name, 'params', i], message: `param "${p}" is listed twice` });
      seen.add(p);
    });
  }
  for (const name of smsSentTemplates())
    if (!mapping[name])
      ctx.addIssue({
        code: 'custom',
        path: ['templates', name],
        message: `message template ${name} is sent by SMS but has no mapping: give the provider's approved template code and its params in order (${TEMPLATES[name]!.params.join(', ')})`,
      });
}

export const aliyunSms = z
  .strictObject({
    provider: z.literal('aliyun'),
    signName,
    /** Secrets Manager: `{"accessKeyId": "...", "accessKeySecret": "..."}` of a RAM user allowed dysms:SendSms only. */
    secretName,
    /** The API endpoint (default dysmsapi.aliyuncs.com). */
    endpoint: z.string().regex(/^[a-z0-9.-]+$/, 'an endpoint is a host name').default('dysmsapi.aliyuncs.com'),
    templates,
  })
  .superRefine((s, ctx) => checkMapping(s.templates, ctx));

export const tencentSms = z
  .strictObject({
    provider: z.literal('tencent'),
    /** The SMS application's SdkAppId, e.g. 1400006666. */
    sdkAppId: z.string().regex(/^\d{10}$/, 'an SdkAppId is 10 digits'),
    signName,
    /** Secrets Manager: `{"secretId": "...", "secretKey": "..."}` of a CAM user allowed sms:SendSms only. */
    secretName,
    region: z.enum(['ap-guangzhou', 'ap-beijing', 'ap-nanjing']).default('ap-guangzhou'),
    templates,
  })
  .superRefine((s, ctx) => checkMapping(s.templates, ctx));

const snsChannel = z.strictObject({ provider: z.literal('sns') });

export const smsDelivery = z.discriminatedUnion('provider', [snsChannel, aliyunSms, tencentSms]);

export const smtpEmail = z.strictObject({
  provider: z.literal('smtp'),
  host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host is a DNS name or an IPv4 address'),
  port: z.number().int().min(1).max(65_535).default(465),
  /**
   * How TLS starts: `implicit` (SMTPS, port 465) or `starttls` (the server must offer STARTTLS, or nothing is sent).
   * There is no plain-text option. Default: implicit on 465, starttls on any other port.
   */
  tls: z.enum(['implicit', 'starttls']).optional(),
  user: z.string().min(1).max(200),
  /** Secrets Manager: the SMTP password (the SecretString itself, or `{"password": "..."}`). */
  secretName,
  /** The sender, e.g. shudi@chuanhui.gov.cn. */
  from: z.email(),
});

export const emailDelivery = z.discriminatedUnion('provider', [snsChannel, smtpEmail]);

export const deliveryConfig = z.strictObject({
  sms: smsDelivery.default({ provider: 'sns' }),
  email: emailDelivery.default({ provider: 'sns' }),
});

export type DeliveryConfig = z.infer<typeof deliveryConfig>;
export type SmsDelivery = z.infer<typeof smsDelivery>;
export type ProviderSms = Exclude<SmsDelivery, { provider: 'sns' }>;
export type AliyunSmsConfig = z.infer<typeof aliyunSms>;
export type TencentSmsConfig = z.infer<typeof tencentSms>;
export type SmtpEmailConfig = z.infer<typeof smtpEmail>;
export type SmsTemplateMapping = z.infer<typeof smsTemplateMapping>;

/** The TLS mode of an SMTP config: as set, or implicit on 465 and STARTTLS elsewhere. */
export const smtpTlsMode = (c: Pick<SmtpEmailConfig, 'port' | 'tls'>): 'implicit' | 'starttls' => c.tls ?? (c.port === 465 ? 'implicit' : 'starttls');

/** The secret names a district's delivery reads (for the stack's grants: exactly these, nothing else). */
export function deliverySecretNames(d: DeliveryConfig): { sms?: string; email?: string } {
  return {
    ...(d.sms.provider !== 'sns' ? { sms: d.sms.secretName } : {}),
    ...(d.email.provider !== 'sns' ? { email: d.email.secretName } : {}),
  };
}
