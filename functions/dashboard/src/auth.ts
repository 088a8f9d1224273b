/// <reference lib="dom" />
// Who is signed in: a bearer token kept in sessionStorage (gone when the tab closes).
// dev: the token comes from POST /dev/login. cognito: the seam for the hosted UI, not built yet.
import type { DashboardConfig } from './config';

const TOKEN_KEY = 'shudi.token';

export function getToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Cognito seam. To finish it: send the browser to `${domain}/oauth2/authorize` (authorization code
 * with PKCE, scope openid), and on return exchange the code at `${domain}/oauth2/token`, then
 * setToken(id_token) — the API's JWT authorizer reads the custom:* claims from it. Until then this
 * returns false and the sign-in screen says it is not configured.
 */
export function beginCognitoSignIn(config: DashboardConfig): boolean {
  const c = config.cognito;
  if (!c) return false;
  const url = new URL('/oauth2/authorize', c.domain);
  url.searchParams.set('client_id', c.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('redirect_uri', c.redirectUri);
  // TODO(cognito): PKCE code_verifier/state, and the code → token exchange on return.
  location.assign(url.toString());
  return true;
}
