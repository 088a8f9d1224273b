// A sign-in through the local OpenID provider without a browser, for tests that need a real token
// of the provider: the authorization code flow with PKCE, state and nonce (oauth4webapi, as the
// dashboard runs it), its login form posted with the provider's cookies carried by hand.
import * as oauth from 'oauth4webapi';

export interface CodeFlowResult {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  expires_in?: number;
}

class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The redirect URI itself (with its query), not any URL under it. */
function isRedirectUri(url: string, redirectUri: string): boolean {
  const u = new URL(url);
  return `${u.origin}${u.pathname}` === redirectUri;
}

/** Follows redirects by hand (carrying cookies) until one leaves the issuer's origin or a page answers. */
async function follow(jar: CookieJar, url: string, init: RequestInit = {}, stopAt: string): Promise<{ url: string; res: Response }> {
  let next = url;
  let req: RequestInit = init;
  for (let hops = 0; hops < 10; hops++) {
    if (isRedirectUri(next, stopAt)) return { url: next, res: new Response(null, { status: 200 }) };
    const res = await fetch(next, { ...req, redirect: 'manual', headers: { ...(req.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(res);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) return { url: next, res };
    next = new URL(location, next).href;
    req = {};
  }
  throw new Error('too many redirects');
}

/**
 * From an authorization URL to the redirect URI with the code: the provider's login form, posted
 * with its cookies. Returns the URL the provider sent the browser back to.
 */
export async function logInAt(authorizationUrl: string, opts: { redirectUri: string; staffId: string; password: string }): Promise<string> {
  const jar = new CookieJar();
  const form = await follow(jar, authorizationUrl, {}, opts.redirectUri);
  const html = await form.res.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${form.url} (${form.res.status}): ${html.slice(0, 300)}`);
  const back = await follow(
    jar,
    new URL(action, form.url).href,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ staffId: opts.staffId, password: opts.password }).toString() },
    opts.redirectUri,
  );
  if (!isRedirectUri(back.url, opts.redirectUri)) throw new Error(`the sign-in did not come back (${back.res.status} at ${back.url}): ${(await back.res.text()).slice(0, 300)}`);
  return back.url;
}

export async function signInWithCodeFlow(opts: { issuer: string; clientId: string; redirectUri: string; staffId: string; password: string }): Promise<CodeFlowResult> {
  const issuer = new URL(opts.issuer);
  const http = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
  const client: oauth.Client = { client_id: opts.clientId };
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const auth = new URL(as.authorization_endpoint!);
  for (const [k, v] of Object.entries({
    client_id: opts.clientId,
    redirect_uri: opts.redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  }))
    auth.searchParams.set(k, v);

  const back = await logInAt(auth.href, opts);
  const params = oauth.validateAuthResponse(as, client, new URL(back), state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, opts.redirectUri, verifier, http);
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
  return {
    access_token: result.access_token,
    id_token: result.id_token!,
    ...(result.refresh_token ? { refresh_token: result.refresh_token } : {}),
    ...(result.expires_in !== undefined ? { expires_in: result.expires_in } : {}),
  };
}
