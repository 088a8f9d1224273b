/// <reference lib="dom" />
// Sign-in by OpenID Connect, the same code locally and deployed (oauth4webapi does the protocol):
// authorization code with PKCE (S256), `state` and `nonce`; the code is exchanged at the token
// endpoint; tokens live in memory only (never in storage) and are refreshed before they expire with
// the refresh token; sign-out ends the session at the issuer (end_session_endpoint).
// Only the round trip's own values (code verifier, state, nonce, where to return) wait in
// sessionStorage while the browser is at the issuer, and are removed when it comes back. A reload
// loses the tokens: when this tab was signed in, the page asks the issuer again with prompt=none,
// which answers at once while the issuer's session lasts, and asks nobody anything.
import * as oauth from 'oauth4webapi';
import type { OidcConfig } from './config';

const PENDING_KEY = 'shudi.oidc.pending';
const ACTIVE_KEY = 'shudi.oidc.active';
/** Refresh this long before expiry (or at three quarters of a short lifetime). */
const REFRESH_LEAD_MS = 60_000;
const RETRY_MS = 15_000;

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  silent: boolean;
}

interface Tokens {
  api: string;
  idToken?: string;
  refreshToken?: string;
  expiresAt: number;
}

export type SessionEvent = { kind: 'signed-in' } | { kind: 'refreshed' } | { kind: 'ended'; reason: 'expired' | 'signed-out' };

/** What resume() found: signed in, or not (with the issuer's error, if it sent one). */
export type ResumeResult = { status: 'signed-in' } | { status: 'signed-out'; error?: string } | { status: 'redirecting' };

export interface SessionEnv {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The page's URL now. */
  href: () => string;
  /** Leaves for the issuer. */
  navigate: (url: string) => void;
  /** Drops the code and state from the address bar (and puts the saved hash back). */
  replaceUrl: (url: string) => void;
}

function browserEnv(): SessionEnv {
  return {
    storage: sessionStorage,
    href: () => location.href,
    navigate: (url) => location.assign(url),
    replaceUrl: (url) => history.replaceState(null, '', url),
  };
}

/** http is allowed for a provider on this machine only (the local one of `npm start`). */
function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export class OidcSession {
  private server?: Promise<oauth.AuthorizationServer>;
  private tokens?: Tokens;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private readonly client: oauth.Client;
  private readonly env: SessionEnv;
  private readonly http: { [oauth.allowInsecureRequests]?: boolean };

  constructor(
    readonly config: OidcConfig,
    env?: SessionEnv,
  ) {
    this.env = env ?? browserEnv();
    this.client = { client_id: config.clientId };
    this.http = isLoopback(new URL(config.issuer)) ? { [oauth.allowInsecureRequests]: true } : {};
  }

  /** The token the API gets (Authorization: Bearer), while signed in. */
  apiToken(): string | undefined {
    return this.tokens && this.tokens.expiresAt > Date.now() ? this.tokens.api : undefined;
  }

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  onChange(fn: (e: SessionEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: SessionEvent) {
    for (const fn of this.listeners) fn(e);
  }

  private redirectUri(): string {
    if (this.config.redirectUri) return this.config.redirectUri;
    const u = new URL(this.env.href());
    return `${u.origin}${u.pathname}`;
  }

  private authServer(): Promise<oauth.AuthorizationServer> {
    this.server ??= (async () => {
      const issuer = new URL(this.config.issuer);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, this.http));
      return this.config.endSessionEndpoint ? { ...as, end_session_endpoint: this.config.endSessionEndpoint } : as;
    })();
    this.server.catch(() => (this.server = undefined));
    return this.server;
  }

  /** Goes to the issuer to sign in; `silent` asks with prompt=none (no page, an error if there is no session). */
  async signIn(opts: { returnTo?: string; silent?: boolean } = {}): Promise<void> {
    const as = await this.authServer();
    if (!as.authorization_endpoint) throw new Error('the issuer names no authorization endpoint');
    const pending: Pending = {
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      verifier: oauth.generateRandomCodeVerifier(),
      returnTo: opts.returnTo ?? new URL(this.env.href()).hash,
      silent: !!opts.silent,
    };
    const url = new URL(as.authorization_endpoint);
    const params: Record<string, string> = {
      client_id: this.config.clientId,
      redirect_uri: this.redirectUri(),
      response_type: 'code',
      scope: this.config.scope ?? 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(opts.silent ? { prompt: 'none' } : {}),
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    this.env.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    this.env.navigate(url.href);
  }

  /**
   * On page load: completes a sign-in the issuer sent the browser back from (code → tokens), or,
   * when this tab was signed in before a reload, asks the issuer again silently.
   */
  async resume(): Promise<ResumeResult> {
    const here = new URL(this.env.href());
    const raw = this.env.storage.getItem(PENDING_KEY);
    const returned = here.searchParams.has('state') && (here.searchParams.has('code') || here.searchParams.has('error'));
    if (raw && returned) {
      this.env.storage.removeItem(PENDING_KEY);
      const pending = JSON.parse(raw) as Pending;
      const clean = `${here.origin}${here.pathname}${pending.returnTo || ''}`;
      try {
        const as = await this.authServer();
        // Checks `state` (and the issuer, RFC 9207) before the code is used; an error answer throws.
        const params = oauth.validateAuthResponse(as, this.client, here, pending.state);
        const response = await oauth.authorizationCodeGrantRequest(as, this.client, oauth.None(), params, this.redirectUri(), pending.verifier, this.http);
        const result = await oauth.processAuthorizationCodeResponse(as, this.client, response, { expectedNonce: pending.nonce, requireIdToken: true });
        this.env.replaceUrl(clean);
        this.accept(result);
        this.env.storage.setItem(ACTIVE_KEY, '1');
        this.emit({ kind: 'signed-in' });
        return { status: 'signed-in' };
      } catch (e) {
        this.env.replaceUrl(clean);
        this.env.storage.removeItem(ACTIVE_KEY);
        // A silent attempt that finds no session at the issuer is not an error to show.
        if (pending.silent && e instanceof oauth.AuthorizationResponseError) return { status: 'signed-out' };
        return { status: 'signed-out', error: describe(e) };
      }
    }
    if (raw && !returned) this.env.storage.removeItem(PENDING_KEY);
    if (this.env.storage.getItem(ACTIVE_KEY) === '1' && !this.tokens) {
      try {
        await this.signIn({ silent: true, returnTo: here.hash });
        return { status: 'redirecting' };
      } catch (e) {
        this.env.storage.removeItem(ACTIVE_KEY);
        return { status: 'signed-out', error: describe(e) };
      }
    }
    return { status: this.tokens ? 'signed-in' : 'signed-out' };
  }

  private accept(result: oauth.TokenEndpointResponse) {
    const claims = oauth.getValidatedIdTokenClaims(result);
    const idToken = result.id_token ?? this.tokens?.idToken;
    const useId = this.config.apiToken === 'id_token';
    const api = useId ? idToken : result.access_token;
    if (!api) throw new Error('the issuer sent no token for the API');
    const expiresAt = useId && claims ? claims.exp * 1000 : Date.now() + (result.expires_in ?? 300) * 1000;
    const refreshToken = result.refresh_token ?? this.tokens?.refreshToken;
    this.tokens = { api, expiresAt, ...(idToken ? { idToken } : {}), ...(refreshToken ? { refreshToken } : {}) };
    this.schedule();
  }

  private schedule(delay?: number) {
    clearTimeout(this.timer);
    if (!this.tokens?.refreshToken) return;
    const left = this.tokens.expiresAt - Date.now();
    const wait = delay ?? Math.max(1_000, left - Math.min(REFRESH_LEAD_MS, left / 4));
    this.timer = setTimeout(() => void this.refresh(), wait);
  }

  /** Swaps the refresh token for fresh tokens; true when it worked. Ends the session when the issuer refuses it. */
  async refresh(): Promise<boolean> {
    const rt = this.tokens?.refreshToken;
    if (!rt) return false;
    try {
      const as = await this.authServer();
      const response = await oauth.refreshTokenGrantRequest(as, this.client, oauth.None(), rt, this.http);
      const result = await oauth.processRefreshTokenResponse(as, this.client, response);
      if (this.tokens?.refreshToken !== rt) return true; // signed out meanwhile
      this.accept(result);
      this.emit({ kind: 'refreshed' });
      return true;
    } catch (e) {
      if (e instanceof oauth.ResponseBodyError) {
        this.end('expired');
        return false;
      }
      // The network: try again while the token lasts.
      if (this.tokens && this.tokens.expiresAt - Date.now() > RETRY_MS) this.schedule(RETRY_MS);
      else this.end('expired');
      return false;
    }
  }

  /** Ends the session here (tokens dropped) without going to the issuer. */
  end(reason: 'expired' | 'signed-out') {
    clearTimeout(this.timer);
    const had = this.tokens !== undefined;
    this.tokens = undefined;
    this.env.storage.removeItem(ACTIVE_KEY);
    if (had) this.emit({ kind: 'ended', reason });
  }

  /** Signs out here and at the issuer (end_session_endpoint), which sends the browser back to the dashboard. */
  async signOut(): Promise<void> {
    const idToken = this.tokens?.idToken;
    this.end('signed-out');
    let as: oauth.AuthorizationServer | undefined;
    try {
      as = await this.authServer();
    } catch {
      return;
    }
    if (!as.end_session_endpoint) return;
    const url = new URL(as.end_session_endpoint);
    const back = this.redirectUri();
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('post_logout_redirect_uri', back);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    // Cognito's /logout names the way back logout_uri.
    if (this.config.endSessionEndpoint) url.searchParams.set('logout_uri', back);
    this.env.navigate(url.href);
  }
}

function describe(e: unknown): string {
  if (e instanceof oauth.AuthorizationResponseError || e instanceof oauth.ResponseBodyError) return e.error_description ? `${e.error}: ${e.error_description}` : e.error;
  return e instanceof Error ? e.message : String(e);
}
