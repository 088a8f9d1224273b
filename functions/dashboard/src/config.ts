// Dashboard configuration. Defaults suit `npm start` (same origin as the API, dev sign-in). A deployment
// can override any field by defining `window.SHUDI_CONFIG` before the bundle loads (e.g. a config.js
// written by the stack), or at build time through SHUDI_AUTH_MODE / SHUDI_API_BASE (see vite.config.ts).

export type AuthMode = 'dev' | 'cognito';

export interface CognitoConfig {
  /** Hosted UI domain, e.g. https://shudi-chuanhui.auth.cn-north-1.amazoncognito.com */
  domain: string;
  clientId: string;
  /** Where the hosted UI sends the browser back to, usually the dashboard's own URL. */
  redirectUri: string;
}

export interface DashboardConfig {
  /** dev: POST /dev/login with a staff id (local runtime); cognito: the Cognito hosted UI (not built yet). */
  authMode: AuthMode;
  /** Prefix of API paths: '' when the API is on the same origin. */
  apiBase: string;
  /** Shown on the dev sign-in screen. */
  suggestedStaffIds: string[];
  cognito?: CognitoConfig;
}

declare const __SHUDI_BUILD_CONFIG__: Partial<DashboardConfig> | undefined;

export const defaults: DashboardConfig = {
  authMode: 'dev',
  apiBase: '',
  suggestedStaffIds: ['dm-chuanhui', 'sm-xinhua', 'co-tongqiao-1', 'ul-zk-middle-school-2'],
};

export function loadConfig(): DashboardConfig {
  const build = typeof __SHUDI_BUILD_CONFIG__ !== 'undefined' ? __SHUDI_BUILD_CONFIG__ : undefined;
  const runtime = (globalThis as { SHUDI_CONFIG?: Partial<DashboardConfig> }).SHUDI_CONFIG;
  const merged: DashboardConfig = { ...defaults, ...build, ...runtime };
  if (merged.authMode !== 'dev' && merged.authMode !== 'cognito') merged.authMode = 'dev';
  merged.apiBase = merged.apiBase.replace(/\/+$/, '');
  return merged;
}
