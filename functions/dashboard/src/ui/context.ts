// What every view needs: the API, the translator, who is signed in, the org units, the (server's) clock.
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Me, Role } from '../api/types';
import type { DashboardConfig } from '../config';
import type { Lang, Translator } from '../i18n';
import type { OrgIndex } from '../lib/orgs';

export interface AppCtx {
  config: DashboardConfig;
  api: Api;
  tr: Translator;
  setLang: (lang: Lang) => void;
  me: Me;
  orgs: OrgIndex;
  /** The server's now when the dev clock answers, else the browser's (ISO). */
  now: string;
  /** Asia/Shanghai date of `now`. */
  today: string;
  /** Bumped to make every view load again (after the clock moved, after an action). */
  refreshKey: number;
  refresh: () => void;
}

export const Ctx = createContext<AppCtx | null>(null);

export function useApp(): AppCtx {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useApp outside <Ctx.Provider>');
  return ctx;
}

export const isManager = (role: Role | string) => role === 'district_manager' || role === 'street_manager';

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `fn` when deps change (the data goes) or the app's refreshKey changes (the last data stays
 * on screen while it loads again, so a refresh does not flicker).
 */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const { refreshKey } = useApp();
  const [n, setN] = useState(0);
  const key = JSON.stringify(deps);
  const last = useRef(key);
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  useEffect(() => {
    let live = true;
    const same = last.current === key;
    last.current = key;
    setState((s) => (same ? { ...s, loading: true } : { loading: true }));
    fn().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, refreshKey, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}
