// SMS through a provider of one's own (the China regions have no SNS SMS): the SmsGateway interface, and
// HttpSmsGateway, which POSTs {to, text, dedupeKey} as JSON with a bearer secret to a URL - a relay of one's own in
// front of Aliyun SMS, Tencent Cloud SMS or any other provider, or the provider itself where it takes such a call.
// docs/reminders.md shows how a provider plugs in.
import { TransientDeliveryError } from './notifier';

export interface SmsRequest {
  /** E.164. */
  to: string;
  text: string;
  /** The same on every retry of the same message: a gateway that dedupes on it makes a retry harmless twice over. */
  dedupeKey: string;
  /**
   * What the text says, as a template and its params (dates, counts, periods), for providers that send only
   * pre-approved templates: an adapter maps `kind` to its template code and passes `params`. HttpSmsGateway sends
   * the text only.
   */
  template?: { kind: string; language: string; params: Record<string, string | number> };
}

export type SmsResult =
  | { status: 'accepted'; providerId?: string }
  /** The gateway had this dedupe key already. */
  | { status: 'duplicate' }
  /** Refused for good (bad number, blocked, template not approved): not retried; the number is flagged. */
  | { status: 'rejected'; reason: string };

/** Sends one SMS. Throws TransientDeliveryError (or anything) for a failure worth a retry. */
export interface SmsGateway {
  send(req: SmsRequest): Promise<SmsResult>;
}

export interface HttpSmsGatewayOptions {
  url: string;
  /** Sent as `Authorization: Bearer <secret>`. */
  secret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * 2xx → accepted (a JSON body's `id` is the provider id); 409 → duplicate; other 4xx → rejected for good
 * (reason `gateway_<status>`, plus the body's `code` when it is a short token); 5xx, 429, a timeout or a network
 * error → TransientDeliveryError. Neither the number nor the text is ever put in an error.
 */
export class HttpSmsGateway implements SmsGateway {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: HttpSmsGatewayOptions) {
    if (!/^https?:\/\//.test(opts.url)) throw new Error('the SMS gateway URL must be http(s)');
    this.fetchFn = opts.fetch ?? fetch;
  }

  async send(req: SmsRequest): Promise<SmsResult> {
    let res: Response;
    try {
      res = await this.fetchFn(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.secret}`, 'idempotency-key': req.dedupeKey },
        body: JSON.stringify({ to: req.to, text: req.text, dedupeKey: req.dedupeKey }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TransientDeliveryError(`SMS gateway unreachable: ${(err as Error).name}`, { cause: err });
    }
    const body = await res.text().catch(() => '');
    let json: { id?: unknown; code?: unknown } = {};
    try {
      json = body ? (JSON.parse(body) as typeof json) : {};
    } catch {
      // not JSON: the status says enough
    }
    if (res.ok) return { status: 'accepted', ...(typeof json.id === 'string' ? { providerId: json.id } : {}) };
    if (res.status === 409) return { status: 'duplicate' };
    if (res.status === 429 || res.status >= 500) throw new TransientDeliveryError(`SMS gateway answered ${res.status}`);
    const code = typeof json.code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(json.code) ? `:${json.code}` : '';
    return { status: 'rejected', reason: `gateway_${res.status}${code}` };
  }
}
