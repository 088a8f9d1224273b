// What the Chinese SMS providers (Aliyun, Tencent Cloud) share behind the SmsGateway interface: the mapping of a
// message template onto the provider's approved template, and the classes of the errors they answer with.
//
//   throttled  - a rate limit (per number, per account, per second): retried later with back-off
//   bad_number - the number is malformed, blocked or opted out: the staff member's SMS channel is flagged
//   template   - the template or the signature is not approved (or does not match its params): flagged too, so a
//                manager sees it on the Undeliverable page with the provider's code
//   retry      - anything else (a 5xx, a timeout, credentials, balance): retried later; the reminder stays in the
//                outbox, pending, and after its last attempt it is marked failed there, never lost
import { renderMessage } from '../domain/message-templates';
import type { SmsTemplateMapping } from '../domain/delivery-config';
import type { Language } from '../domain/district-config';
import { TransientDeliveryError } from './notifier';
import type { SmsRequest, SmsResult } from './sms-gateway';

export type SmsErrorClass = 'throttled' | 'bad_number' | 'template' | 'retry';

/** The approved template and the param values in the provider template's order, from a request's template. */
export function mappedTemplate(
  provider: string,
  mappings: Readonly<Record<string, SmsTemplateMapping>>,
  req: SmsRequest,
): { code: string; names: string[]; values: string[] } {
  const t = req.template;
  // Unreachable with a validated config (every template sent by SMS is mapped); a wiring bug, kept in the outbox.
  if (!t) throw new Error(`${provider} SMS: the message carries no template, and ${provider} sends approved templates only`);
  const mapping = mappings[t.kind];
  if (!mapping) throw new Error(`${provider} SMS: no template mapped for message template ${t.kind}`);
  // The params pass the message template's own checks (allowed names, the form of each value, the personal-data
  // scan) before any of them leaves: the same checks that rendered the text.
  renderMessage(t.kind, 'sms', (t.language === 'en' ? 'en' : 'zh-CN') satisfies Language, t.params);
  const values = mapping.params.map((name) => {
    const v = t.params[name];
    if (v === undefined) throw new Error(`${provider} SMS: message template ${t.kind} sent without its param "${name}"`);
    return String(v);
  });
  return { code: mapping.code, names: [...mapping.params], values };
}

/** A provider's error code as a short, address-free reason token (`sms_bad_number:isv.MOBILE_NUMBER_ILLEGAL`). */
function reasonOf(cls: 'bad_number' | 'template', code: string): string {
  return `sms_${cls}:${code.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 48)}`;
}

/** The SmsGateway outcome of a provider error of a given class: a refusal for good, or a throw to retry. */
export function outcomeOf(provider: string, cls: SmsErrorClass, code: string, cause?: unknown): SmsResult {
  if (cls === 'bad_number' || cls === 'template') return { status: 'rejected', reason: reasonOf(cls, code) };
  throw new TransientDeliveryError(`${provider} SMS ${cls === 'throttled' ? 'throttled' : 'failed'}: ${code}`, cause === undefined ? undefined : { cause });
}

/** Mainland numbers go without +86 (Aliyun's domestic form); others as country code and number without '+'. */
export function aliyunPhoneNumber(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

export type { SmsRequest, SmsResult };
