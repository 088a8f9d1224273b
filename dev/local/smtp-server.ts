// A real SMTP server on this machine (the `smtp-server` package) for `npm start` and the tests: the district's mail
// server stand-in. It speaks TLS only (implicit TLS, or STARTTLS before AUTH), with a self-signed certificate for
// localhost and 127.0.0.1 that it makes once and keeps under <dir>/tls/; the client trusts exactly that
// certificate. It accepts one development account, stores every message it receives as <dir>/<time>-<id>.eml, and
// refuses recipients at the reserved `.invalid` top-level domain with 550, so a refused address can be tried.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';

export interface LocalSmtpOptions {
  /** Where messages are stored (.data/mail under `npm start`). */
  dir: string;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  tls?: 'implicit' | 'starttls';
  user?: string;
  password?: string;
  /** Largest message accepted, bytes (default 1 MiB). */
  maxBytes?: number;
}

export interface LocalSmtpServer {
  host: string;
  port: number;
  tls: 'implicit' | 'starttls';
  user: string;
  password: string;
  /** The server's certificate (PEM): the one CA the local mailer trusts. */
  ca: string;
  dir: string;
  /** The stored messages' files, oldest first. */
  files(): string[];
  stop(): Promise<void>;
}

/** The development account's password: fixed, printed at start, good for this machine only. */
export const DEV_SMTP_USER = 'shudi-dev';
export const DEV_SMTP_PASSWORD = 'dev-mail-password';

/** A key and certificate for localhost, made once and reused while valid for at least another week. */
async function certificate(dir: string): Promise<{ key: string; cert: string }> {
  const tlsDir = join(dir, 'tls');
  const keyFile = join(tlsDir, 'key.pem');
  const certFile = join(tlsDir, 'cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (Date.parse(new X509Certificate(cert).validTo) > Date.now() + 7 * 86_400_000) return { key: readFileSync(keyFile, 'utf8'), cert };
  }
  const made = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  mkdirSync(tlsDir, { recursive: true });
  writeFileSync(keyFile, made.private, { mode: 0o600 });
  writeFileSync(certFile, made.cert);
  return { key: made.private, cert: made.cert };
}

export async function startLocalSmtpServer(opts: LocalSmtpOptions): Promise<LocalSmtpServer> {
  const { dir } = opts;
  const host = opts.host ?? '127.0.0.1';
  const tls = opts.tls ?? 'implicit';
  const user = opts.user ?? DEV_SMTP_USER;
  const password = opts.password ?? DEV_SMTP_PASSWORD;
  mkdirSync(dir, { recursive: true });
  const { key, cert } = await certificate(dir);
  let seq = 0;

  const server = new SMTPServer({
    secure: tls === 'implicit',
    key,
    cert,
    minVersion: 'TLSv1.2',
    // No AUTH (and so no mail) before TLS.
    allowInsecureAuth: false,
    authMethods: ['PLAIN', 'LOGIN'],
    size: opts.maxBytes ?? 1024 * 1024,
    banner: 'shudi local mail server',
    logger: false,
    // A reverse DNS lookup of 127.0.0.1 per connection costs a second here and tells nothing.
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) return cb(null, { user });
      return cb(Object.assign(new Error('invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (/\.invalid$/i.test(address.address)) return cb(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      return cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return cb(Object.assign(new Error('message too large'), { responseCode: 552 }));
        const raw = Buffer.concat(chunks);
        const id = createHash('sha256').update(raw).digest('hex').slice(0, 12);
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++seq).padStart(4, '0')}-${id}.eml`;
        // Written whole, then renamed: a reader never sees half a message.
        const tmp = join(dir, `.${name}.tmp`);
        writeFileSync(tmp, raw);
        renameSync(tmp, join(dir, name));
        cb(null, `stored as ${name} (${session.envelope.rcptTo.length} recipient${session.envelope.rcptTo.length === 1 ? '' : 's'})`);
      });
    },
  });
  server.on('error', (err) => console.error(`[smtp] ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    host,
    port,
    tls,
    user,
    password,
    ca: cert,
    dir,
    files: () =>
      readdirSync(dir)
        .filter((n) => n.endsWith('.eml') && !n.startsWith('.'))
        .sort()
        .map((n) => join(dir, n)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
