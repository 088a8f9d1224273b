// E-mail over SMTP to the district's own mail server (the China regions have no SES): a Notifier for the e-mail
// channel, through nodemailer. TLS is required: implicit TLS (SMTPS, 465) or STARTTLS that the server must offer
// (requireTLS), TLS 1.2 at least, the server's certificate verified. The Message-ID is derived from the dedupe key,
// so a repeated send of the same reminder carries the same id. Neither the address nor the text is ever put in an
// error or a log.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { TransientDeliveryError, type DeliveryResult, type Notifier, type OutboundMessage } from './notifier';

export interface SmtpMailerOptions {
  host: string;
  port: number;
  tls: 'implicit' | 'starttls';
  user: string;
  /** From Secrets Manager (or, locally, the development server's password). */
  password: string;
  /** The sender address. */
  from: string;
  /** Extra trusted CA certificates (PEM), e.g. the local development server's own; the system's are trusted too. */
  ca?: string | string[];
  /** Seconds to wait for the connection, the greeting, a reply (default 10, 10, 30). */
  timeouts?: { connection?: number; greeting?: number; socket?: number };
}

/** The SMTP transport options for a config: exported so a test can see that TLS cannot be switched off. */
export function smtpTransportOptions(o: SmtpMailerOptions): SMTPTransport.Options {
  return {
    host: o.host,
    port: o.port,
    secure: o.tls === 'implicit',
    requireTLS: true,
    auth: { user: o.user, pass: o.password },
    // SNI names a host; an IP address is checked against the certificate's IP entries instead.
    tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(isIP(o.host) ? {} : { servername: o.host }), ...(o.ca ? { ca: o.ca } : {}) },
    connectionTimeout: (o.timeouts?.connection ?? 10) * 1000,
    greetingTimeout: (o.timeouts?.greeting ?? 10) * 1000,
    socketTimeout: (o.timeouts?.socket ?? 30) * 1000,
    // One connection reused for a run of the publisher (a digest burst), closed when idle.
    pool: false,
  };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  command?: string;
  rejectedErrors?: { responseCode?: number }[];
}

/**
 * A refused recipient (5xx to RCPT TO, or every recipient rejected) → undeliverable: the staff member's e-mail is
 * flagged. Any other 5xx (the message refused) → rejected: the item fails, nothing flagged. Everything else (4xx,
 * connection, TLS, authentication, timeouts) → retry later, the reminder stays pending in the outbox.
 */
export function classifySmtpError(err: SmtpError): DeliveryResult {
  const code = err.rejectedErrors?.[0]?.responseCode ?? err.responseCode;
  const recipient = err.code === 'EENVELOPE' || /^RCPT/i.test(err.command ?? '');
  if (code !== undefined && code >= 500 && code < 600) {
    if (recipient) return { status: 'undeliverable', reason: `smtp_bad_address:${code}` };
    if (err.code !== 'EAUTH') return { status: 'rejected', reason: `smtp_refused:${code}` };
  }
  throw new TransientDeliveryError(`SMTP send failed: ${err.code ?? 'error'}${code ? ` ${code}` : ''}`, { cause: err });
}

export class SmtpMailer implements Notifier {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly domain: string;

  constructor(private readonly opts: SmtpMailerOptions) {
    this.transport = nodemailer.createTransport(smtpTransportOptions(opts));
    this.domain = opts.from.slice(opts.from.lastIndexOf('@') + 1);
  }

  /** `<hash of the dedupe key>@<sender domain>`: the same on every retry of the same reminder. */
  messageIdOf(dedupeKey: string): string {
    return `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}@${this.domain}>`;
  }

  async send(m: OutboundMessage): Promise<DeliveryResult> {
    if (m.channel !== 'email') throw new Error(`the SMTP mailer sends e-mail, not ${m.channel}`);
    try {
      const info = await this.transport.sendMail({
        from: this.opts.from,
        to: m.to,
        subject: m.subject ?? m.asciiSubject ?? 'shudi',
        text: m.text,
        messageId: this.messageIdOf(m.dedupeKey),
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { status: 'sent', providerId: info.messageId };
    } catch (err) {
      return classifySmtpError(err as SmtpError);
    }
  }

  close(): void {
    this.transport.close();
  }
}
