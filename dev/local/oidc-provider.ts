// The local OpenID provider of `npm start`: `oidc-provider` mounted at /oidc on the local server,
// whose accounts are the district's staff as the register (the table) holds them, each signing in
// with her staff id and the one development password printed at start. The dashboard signs in
// through it with the code it runs deployed (authorization code + PKCE S256 + state + nonce,
// refresh, sign-out at end_session). It issues, under the district's claim names (OIDC_CLAIMS):
//   - JWT access tokens for the API (audience DEV_AUDIENCE, RS256, the staff claims): what the
//     dashboard sends, and what the local server verifies as API Gateway's JWT authorizer would;
//   - ID tokens with the same claims (as a Cognito ID token carries its custom attributes).
// The login, sign-out and error pages are plain HTML with no outside resources (they work offline).
// Local development only: nothing here is deployed.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Adapter, AdapterPayload, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { StaffRole } from '../../functions/domain/district-config';
import type { DevAuth } from './dev-auth';

/** The dashboard's client id at the local provider. */
export const DEV_CLIENT_ID = 'shudi-dashboard';
/** Where the provider is mounted on the local server: the issuer is `${origin}${OIDC_MOUNT}`. */
export const OIDC_MOUNT = '/oidc';

export interface DevAccount {
  staffId: string;
  orgUnitId: string;
  role: StaffRole;
}

export interface DevOidcOptions {
  /** The issuer URL, e.g. http://localhost:3000/oidc (its path is the mount path). */
  issuer: string;
  /** Keys, password, audience, claim names and district. */
  auth: DevAuth;
  /** The account of a staff id (the register), or undefined: only the district's staff can sign in. */
  findStaff(staffId: string): Promise<DevAccount | undefined>;
  /** Where the dashboard may be sent back to (after sign-in and after sign-out). */
  redirectUris: string[];
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
}

export interface DevOidc {
  issuer: string;
  clientId: string;
  provider: Provider;
  /** Serves a request under the mount path (the provider's endpoints and the login pages). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** oidc-provider warns on import that it wants Node 22 (Node 20 runs it: the browser test proves it); that one line is dropped. */
async function importProvider(): Promise<{ Provider: typeof Provider; errors: typeof import('oidc-provider').errors }> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    const mod = await import('oidc-provider');
    return { Provider: mod.default, errors: mod.errors };
  } finally {
    console.warn = warn;
  }
}

/** The provider's state (sessions, codes, grants, refresh tokens) in memory, one store per provider: a restart signs everyone out. */
function memoryAdapter() {
  const items = new Map<string, { payload: AdapterPayload; expiresAt: number | undefined }>();
  const live = (key: string) => {
    const hit = items.get(key);
    if (hit?.expiresAt !== undefined && hit.expiresAt <= Date.now()) {
      items.delete(key);
      return undefined;
    }
    return hit?.payload;
  };
  return class MemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      items.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.uid) items.set(`uid:${payload.uid}`, { payload: { ...payload, id } as AdapterPayload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.grantId) {
        const g = `grant:${payload.grantId}`;
        const ids = (live(g)?.ids as string[] | undefined) ?? [];
        items.set(g, { payload: { ids: [...ids, this.key(id)] } as AdapterPayload, expiresAt: undefined });
      }
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      const hit = live(`uid:${uid}`);
      return hit?.id ? live(this.key(hit.id as string)) : undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const hit = live(this.key(id));
      if (hit) hit.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      items.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const k of (live(`grant:${grantId}`)?.ids as string[] | undefined) ?? []) items.delete(k);
      items.delete(`grant:${grantId}`);
    }
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f5f7;margin:0;color:#1d2330}
main{max-width:22rem;margin:4rem auto;background:#fff;border-radius:8px;padding:1.5rem 1.75rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.25rem;margin:0 0 .25rem}p{margin:.25rem 0 1rem;color:#4a5160;font-size:.9rem}
label{display:block;font-size:.9rem;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;font-size:1rem;padding:.55rem;border:1px solid #b8bdc7;border-radius:4px}
button{margin-top:1.1rem;width:100%;font-size:1rem;padding:.6rem;border:0;border-radius:4px;background:#b3261e;color:#fff;cursor:pointer}
.error{color:#8c1d18;background:#fdecea;padding:.5rem .75rem;border-radius:4px}a{color:#4a5160;font-size:.85rem}`;

function page(res: ServerResponse, status: number, title: string, body: string, nonce?: string) {
  const csp = `default-src 'none'; style-src 'unsafe-inline'; ${nonce ? `script-src 'nonce-${nonce}'; ` : ''}frame-ancestors 'none'; base-uri 'none'`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': csp, 'referrer-policy': 'no-referrer' });
  res.end(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style><body><main>${body}</main></body></html>`);
}

function loginForm(action: string, opts: { staffId?: string; error?: string } = {}) {
  return `<h1>属地 · 本机登录 <span lang="en">Local sign-in</span></h1>
<p>本机开发用身份提供方：工号与 <code>npm start</code> 打印的开发密码。<br><span lang="en">The local development identity provider: a staff id and the development password <code>npm start</code> printed.</span></p>
${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ''}
<form method="post" action="${esc(action)}">
<label for="staffId">工号 Staff id</label><input id="staffId" name="staffId" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${esc(opts.staffId ?? '')}" ${opts.staffId ? '' : 'autofocus'}>
<label for="password">密码 Password</label><input id="password" name="password" type="password" autocomplete="current-password" required ${opts.staffId ? 'autofocus' : ''}>
<button type="submit">登录 Sign in</button>
</form>
<p><a href="${esc(action.replace(/\/login$/, '/abort'))}">取消 Cancel</a></p>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024) break;
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function createDevOidc(opts: DevOidcOptions): Promise<DevOidc> {
  const { Provider: ProviderClass, errors } = await importProvider();
  const { auth } = opts;
  const mount = new URL(opts.issuer).pathname.replace(/\/+$/, '');
  const audience = auth.audience;
  const claimNames = Object.values(auth.claimNames);
  const accessTtl = opts.accessTokenTtlSeconds ?? 3600;
  const refreshTtl = opts.refreshTokenTtlSeconds ?? 12 * 3600;
  const claimsOf = async (accountId: string | undefined) => {
    const staff = accountId ? await opts.findStaff(accountId) : undefined;
    return staff ? auth.claimsFor(staff) : undefined;
  };

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: DEV_CLIENT_ID,
        client_name: 'shudi dashboard',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: opts.redirectUris,
        post_logout_redirect_uris: opts.redirectUris,
      },
    ],
    jwks: auth.signingJwks() as Configuration['jwks'],
    cookies: { keys: auth.cookieKeys },
    pkce: { required: () => true },
    // The staff claims ride on the `openid` scope, in the ID token too (as in a Cognito ID token).
    claims: { openid: ['sub', ...claimNames] },
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => {
      const claims = await claimsOf(sub);
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
    // Access tokens for the API carry the staff claims, as a district's identity platform maps them.
    extraTokenClaims: async (_ctx, token) => (token.kind === 'AccessToken' ? await claimsOf(token.accountId) : undefined),
    // The dashboard is a first-party client: no consent page, and a refresh token without offline_access.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid');
      grant.addOIDCClaims(claimNames);
      grant.addResourceScope(audience, 'api');
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: accessTtl, IdToken: accessTtl, AuthorizationCode: 60, RefreshToken: refreshTtl, Session: refreshTtl, Grant: refreshTtl, Interaction: 3600 },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget(`the only resource here is ${audience}`);
          return { scope: 'api', audience, accessTokenTTL: accessTtl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        // The dashboard asked for the sign-out: the confirmation form submits itself.
        logoutSource: async (ctx, form) => {
          const nonce = randomBytes(12).toString('base64url');
          ctx.type = 'html';
          ctx.set('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; frame-ancestors 'none'`);
          ctx.body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>退出登录 Sign out</title><style>${STYLE}</style><body><main>
<h1>退出登录 <span lang="en">Sign out</span></h1><p>正在退出本机身份提供方… <span lang="en">Signing out of the local provider…</span></p>
${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}
<button type="submit" form="op.logoutForm">退出 Sign out</button>
<script nonce="${nonce}">document.getElementById('op.logoutForm').submit()</script></main></body></html>`;
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>已退出 Signed out</title><style>${STYLE}</style><body><main><h1>已退出 <span lang="en">Signed out</span></h1></main></body></html>`;
        },
      },
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((u) => new URL(u).origin === origin) ?? false,
    interactions: { url: async (_ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>登录出错 Sign-in error</title><style>${STYLE}</style><body><main><h1>登录出错 <span lang="en">Sign-in error</span></h1>${Object.entries(out)
        .map(([k, v]) => `<p><strong>${esc(k)}</strong>: ${esc(String(v))}</p>`)
        .join('')}</main></body></html>`;
    },
  };

  const provider = new ProviderClass(opts.issuer, configuration);
  provider.proxy = false;
  const callback = provider.callback();
  const interaction = new RegExp(`^${mount}/interaction/([A-Za-z0-9_-]+)(/login|/abort)?$`);

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return page(res, 400, '登录已过期 Sign-in expired', '<h1>登录已过期 <span lang="en">This sign-in has expired</span></h1><p>请回到属地重新登录。 <span lang="en">Go back to shudi and sign in again.</span></p>');
    }
    if (details.uid !== uid) return page(res, 400, '登录已过期 Sign-in expired', '<h1>登录已过期 <span lang="en">This sign-in has expired</span></h1>');
    const action_ = `${mount}/interaction/${uid}/login`;
    if (action === '/abort') {
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the sign-in was cancelled' }, { mergeWithLastSubmission: false });
    }
    if (action === '/login' && req.method === 'POST') {
      const form = await readForm(req);
      const staffId = (form.get('staffId') ?? '').trim();
      const password = form.get('password') ?? '';
      const staff = staffId ? await opts.findStaff(staffId) : undefined;
      // One answer for an unknown staff id and a wrong password.
      if (!staff || !samePassword(password, auth.password)) {
        return page(res, 401, '登录 Sign in', loginForm(action_, { staffId, error: '工号或密码不正确。 The staff id or the password is not right.' }));
      }
      return provider.interactionFinished(req, res, { login: { accountId: staff.staffId } }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name === 'login') return page(res, 200, '登录 Sign in', loginForm(action_));
    // A first-party client needs no consent page (loadExistingGrant grants it): finish the interaction.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }

  return {
    issuer: opts.issuer,
    clientId: DEV_CLIENT_ID,
    provider,
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = interaction.exec(url.pathname);
      if (m) return handleInteraction(req, res, m[1]!, m[2]);
      // The provider's own routes, with the mount path stripped (it reads the prefix from originalUrl).
      const original = req.url ?? '/';
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = original;
      req.url = original.slice(mount.length) || '/';
      await callback(req, res);
    },
  };
}
