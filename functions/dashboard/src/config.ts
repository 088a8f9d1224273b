// Dashboard configuration: where the API is and where staff sign in (OpenID Connect). A deployment
// defines `window.SHUDI_CONFIG` in the config.js it serves beside the bundle (the CDK stack writes
// one; the local server of `npm start` answers /config.js naming its own provider); SHUDI_API_BASE
// at build time sets apiBase (see vite.config.ts).

export interface OidcConfig {
  /** The issuer URL exactly as its discovery document states it (its /.well-known/openid-configuration is read). */
  issuer: string;
  /** The dashboard's client id there (a public client: no secret, PKCE). */
  clientId: string;
  /** Where the issuer sends the browser back; default the dashboard's own URL (origin and path). */
  redirectUri?: string;
  /** Default `openid`. */
  scope?: string;
  /**
   * Which token the API gets. access_token (default): a JWT access token for the API's audience
   * carrying the staff claims (a district platform, Keycloak, the local provider). id_token: the ID
   * token, whose audience is the client id (Cognito, where only the ID token carries custom attributes).
   */
  apiToken?: 'access_token' | 'id_token';
  /** The sign-out endpoint when discovery names none (Cognito: https://<domain>/logout). */
  endSessionEndpoint?: string;
}

export interface DashboardConfig {
  /** Prefix of API paths: '' when the API is on the same origin. */
  apiBase: string;
  /** Sign-in; without it the dashboard says sign-in is not configured. */
  oidc?: OidcConfig;
}

declare const __SHUDI_BUILD_CONFIG__: Partial<DashboardConfig> | undefined;

export const defaults: DashboardConfig = {
  apiBase: '',
};

/** An OIDC config with what it needs, or undefined (a half-written config.js is "not configured", not a crash). */
function validOidc(o: unknown): OidcConfig | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const c = o as Partial<OidcConfig>;
  if (typeof c.issuer !== 'string' || typeof c.clientId !== 'string' || !c.issuer || !c.clientId) return undefined;
  return { ...c, issuer: c.issuer, clientId: c.clientId, apiToken: c.apiToken === 'id_token' ? 'id_token' : 'access_token' };
}

export function loadConfig(): DashboardConfig {
  const build = typeof __SHUDI_BUILD_CONFIG__ !== 'undefined' ? __SHUDI_BUILD_CONFIG__ : undefined;
  const runtime = (globalThis as { SHUDI_CONFIG?: Partial<DashboardConfig> }).SHUDI_CONFIG;
  const merged: DashboardConfig = { ...defaults, ...build, ...runtime };
  merged.apiBase = (merged.apiBase ?? '').replace(/\/+$/, '');
  const oidc = validOidc(merged.oidc);
  if (oidc) merged.oidc = oidc;
  else delete merged.oidc;
  return merged;
}
