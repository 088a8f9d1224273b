/// <reference lib="dom" />
// The shell: sign-in gate, header with navigation and language switch, the dev bar, and the routed view.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from '../api/client';
import type { Me, Preferences } from '../api/types';
import { OidcSession } from '../auth';
import type { DashboardConfig } from '../config';
import { defaultLang, isLang, localName, translator, type Lang, type Translator } from '../i18n';
import { shanghaiDate } from '../lib/dates';
import { OrgIndex } from '../lib/orgs';
import { href, parseRoute, type Route } from '../lib/routes';
import { ApplyView } from './apply';
import { CaseDetailView } from './case-detail';
import { Loading, ProblemBox } from './common';
import { Ctx, isManager, useApp, type AppCtx } from './context';
import { DevBar } from './devbar';
import { html } from './html';
import { OutboxView } from './outbox';
import { OverviewView } from './overview';
import { QueueView } from './queue';
import { SettingsView } from './settings';
import { SignIn } from './signin';
import { UndeliverableView } from './undeliverable';

const LANG_KEY = 'shudi.lang';

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (isLang(stored)) return stored;
  } catch {
    /* storage off: the default */
  }
  return defaultLang;
}

/** What the runtime offers: the local one answers /dev/outbox (the Outbox page shows only then). */
interface Runtime {
  outbox: boolean;
}

/** One nav entry per view; a page adds a line here and a case in View. */
interface NavItem {
  key: string;
  label: (tr: Translator) => string;
  href: (me: Me) => string;
  active: (r: Route) => boolean;
  show: (me: Me, rt: Runtime) => boolean;
}
const nav: NavItem[] = [
  { key: 'overview', label: (tr) => tr.t('nav.overview'), href: (me) => href.overview(me.orgUnitId), active: (r) => r.name === 'overview', show: (me) => isManager(me.role) },
  { key: 'queue', label: (tr) => tr.t('nav.queue'), href: () => href.queue(), active: (r) => r.name === 'queue', show: () => true },
  // Applications come in at a community (a unit receives none); staff above it may open one for her community too.
  { key: 'apply', label: (tr) => tr.t('nav.apply'), href: () => href.apply(), active: (r) => r.name === 'apply', show: (me) => me.role !== 'unit_liaison' },
  { key: 'undeliverable', label: (tr) => tr.t('nav.undeliverable'), href: () => href.undeliverable(), active: (r) => r.name === 'undeliverable', show: (me) => isManager(me.role) },
  { key: 'outbox', label: (tr) => tr.t('nav.outbox'), href: () => href.outbox(), active: (r) => r.name === 'outbox', show: (_me, rt) => rt.outbox },
  { key: 'settings', label: (tr) => tr.t('nav.settings'), href: () => href.settings(), active: (r) => r.name === 'settings', show: () => true },
];

function homeOf(me: Me): string {
  return isManager(me.role) ? href.overview(me.orgUnitId) : href.queue();
}

function displayName(me: Me, lang: Lang): string {
  if (!me.name) return me.staffId;
  if (typeof me.name === 'string') return me.name;
  return localName(me.name, lang, me.staffId);
}

export function App({ config }: { config: DashboardConfig }) {
  const [lang, setLang] = useState<Lang>(initialLang);
  const tr = useMemo(() => translator(lang), [lang]);
  const trRef = useRef(tr);
  trRef.current = tr;
  // One sign-in session per page: tokens in memory, a reload resumes it silently at the issuer.
  const oidc = useMemo(() => (config.oidc ? new OidcSession(config.oidc) : undefined), [config.oidc]);
  const [signedIn, setSignedIn] = useState(false);
  const [resuming, setResuming] = useState(!!oidc);
  const [signInError, setSignInError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [session, setSession] = useState<{ me: Me; orgs: OrgIndex } | null>(null);
  const [sessionError, setSessionError] = useState<unknown>();
  const [devNow, setDevNow] = useState<string | null>(null);
  const [hasOutbox, setHasOutbox] = useState(false);
  const [tick, setTick] = useState(() => new Date().toISOString());
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [refreshKey, setRefreshKey] = useState(0);

  const api = useMemo(
    () =>
      createApi({
        base: config.apiBase,
        getToken: () => oidc?.apiToken(),
        onUnauthenticated: () => oidc?.end('expired'),
      }),
    [config.apiBase, oidc],
  );

  useEffect(() => {
    if (!oidc) return;
    const off = oidc.onChange((e) => {
      if (e.kind === 'signed-in') setSignedIn(true);
      if (e.kind === 'ended') {
        setSignedIn(false);
        setSession(null);
        if (e.reason === 'expired') setNotice(trRef.current.t('app.sessionExpired'));
      }
    });
    let live = true;
    oidc.resume().then(
      (r) => {
        if (!live || r.status === 'redirecting') return;
        // Back from the issuer, the address bar got its hash again without a hashchange event.
        setRoute(parseRoute(location.hash));
        setSignedIn(r.status === 'signed-in');
        if (r.status === 'signed-out' && r.error) setSignInError(r.error);
        setResuming(false);
      },
      (e: unknown) => {
        if (!live) return;
        setSignInError(e instanceof Error ? e.message : String(e));
        setResuming(false);
      },
    );
    return () => {
      live = false;
      off();
    };
  }, [oidc]);

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      /* not kept: fine */
    }
  }, [lang]);

  // The dev clock: present only on the local runtime. Polled so the bar follows another tab's moves.
  useEffect(() => {
    const probe = () =>
      api.devClock().then(
        (r) => setDevNow(typeof r.now === 'string' ? r.now : null),
        () => setDevNow(null),
      );
    void probe();
    const id = setInterval(() => {
      setTick(new Date().toISOString());
      void probe();
    }, 60_000);
    return () => clearInterval(id);
  }, [api]);

  // The local sink's outbox: probed once (a 404 on AWS, where /dev/* has no route).
  useEffect(() => {
    let live = true;
    api.devOutbox({ limit: 1 }).then(
      () => live && setHasOutbox(true),
      () => live && setHasOutbox(false),
    );
    return () => {
      live = false;
    };
  }, [api]);

  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    setSessionError(undefined);
    Promise.all([api.me(), api.orgUnits()]).then(
      ([me, units]) => {
        if (!live) return;
        setSession({ me, orgs: new OrgIndex(units.items) });
        setNotice(undefined);
      },
      (e: unknown) => live && setSessionError(e),
    );
    return () => {
      live = false;
    };
  }, [signedIn, api]);

  // Home and sign-in routes go to the signed-in person's start page.
  useEffect(() => {
    if (session && (route.name === 'home' || route.name === 'signin')) location.replace(homeOf(session.me));
  }, [session, route]);

  // Move focus to the new view's heading, for screen readers and keyboards.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    requestAnimationFrame(() => (document.querySelector<HTMLElement>('#main h1') ?? document.getElementById('main'))?.focus());
  }, [route]);

  const langToggle = html`<button type="button" class="btn btn-ghost lang-toggle" lang=${lang === 'zh-CN' ? 'en' : 'zh-CN'} aria-label=${tr.t('app.languageLabel')} onClick=${() => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}>
    ${tr.t('app.language')}
  </button>`;

  // Out here and at the issuer, which sends the browser back to the sign-in screen.
  const signOut = () => {
    setSession(null);
    if (oidc) void oidc.signOut();
    else setSignedIn(false);
  };

  if (resuming) {
    return html`<main id="main" class="signin">
      <div class="signin-card"><p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${tr.t('app.loading')}</p></div>
    </main>`;
  }
  if (!signedIn) {
    return html`<${SignIn} session=${oidc} tr=${tr} notice=${notice} error=${signInError} langToggle=${langToggle} />`;
  }
  if (!session) {
    return html`<main id="main" class="signin">
      <div class="signin-card">
        ${sessionError !== undefined
          ? html`<div>
              <${ProblemBoxStandalone} error=${sessionError} tr=${tr} />
              <button type="button" class="btn btn-secondary" onClick=${signOut}>${tr.t('app.signOut')}</button>
            </div>`
          : html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${tr.t('app.loading')}</p>`}
      </div>
    </main>`;
  }

  const now = devNow ?? tick;
  const ctx: AppCtx = {
    config,
    api,
    tr,
    setLang,
    me: session.me,
    orgs: session.orgs,
    now,
    today: shanghaiDate(now),
    refreshKey,
    refresh: () => setRefreshKey((k) => k + 1),
  };
  const me = session.me;
  return html`<${Ctx.Provider} value=${ctx}>
    <a class="skip" href="#main" onClick=${(e: Event) => {
      e.preventDefault();
      document.getElementById('main')?.focus();
    }}>${tr.t('app.skip')}</a>
    <header class="topbar">
      <a class="brand" href=${homeOf(me)}><span class="brand-mark" aria-hidden="true">属</span><span class="brand-text">${tr.t('app.title')}</span></a>
      <nav class="mainnav" aria-label=${tr.t('nav.label')}>
        ${nav
          .filter((n) => n.show(me, { outbox: hasOutbox }))
          .map((n) => html`<a href=${n.href(me)} aria-current=${n.active(route) ? 'page' : undefined}>${n.label(tr)}</a>`)}
      </nav>
      <span class="who" data-testid="who">${tr.t('app.signedInAs', { name: displayName(me, lang), role: tr.te('role', me.role), org: session.orgs.name(me.orgUnitId, lang) })}</span>
      <div class="top-actions">
        ${langToggle}
        <button type="button" class="btn btn-ghost" onClick=${signOut}>${tr.t('app.signOut')}</button>
      </div>
    </header>
    ${devNow
      ? html`<${DevBar}
          api=${api}
          tr=${tr}
          now=${devNow}
          onAdvanced=${(n: string) => {
            setDevNow(n);
            setRefreshKey((k) => k + 1);
          }}
        />`
      : null}
    <main id="main" tabindex="-1">
      <${View}
        route=${route}
        me=${me}
        outbox=${hasOutbox}
        onPreferences=${(p: Preferences) =>
          setSession((s) => (s ? { ...s, me: { ...s.me, preferences: { channel: p.channel, language: p.language, quietHours: p.quietHours } } } : s))}
      />
    </main>
  <//>`;
}

function View({ route, me, outbox, onPreferences }: { route: Route; me: Me; outbox: boolean; onPreferences: (p: Preferences) => void }) {
  switch (route.name) {
    case 'home':
    case 'signin':
      return html`<${Loading} />`;
    case 'queue':
      return html`<${QueueView} />`;
    case 'apply':
      return me.role !== 'unit_liaison' ? html`<${ApplyView} />` : html`<${NotFound} />`;
    case 'case':
      return html`<${CaseDetailView} caseId=${route.caseId} />`;
    case 'overview':
      return html`<${OverviewView} orgUnitId=${route.orgUnitId ?? me.orgUnitId} />`;
    case 'outbox':
      return outbox ? html`<${OutboxView} />` : html`<${NotFound} />`;
    case 'undeliverable':
      return isManager(me.role) ? html`<${UndeliverableView} />` : html`<${NotFound} />`;
    case 'settings':
      return html`<${SettingsView} key=${me.staffId} onSaved=${onPreferences} />`;
    case 'not-found':
      return html`<${NotFound} />`;
  }
}

function NotFound() {
  const { tr, me } = useApp();
  return html`<section class="view"><h1 tabindex="-1">${tr.t('app.notFound')}</h1><p><a href=${homeOf(me)}>${tr.t('app.back')}</a></p></section>`;
}

/** ProblemBox needs the app context; before there is one (loading the session) this plain one shows. */
function ProblemBoxStandalone({ error, tr }: { error: unknown; tr: Translator }) {
  const fakeCtx = { tr } as AppCtx;
  return html`<${Ctx.Provider} value=${fakeCtx}><${ProblemBox} error=${error} /><//>`;
}
