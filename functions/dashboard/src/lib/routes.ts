// Hash routes: #/queue, #/apply, #/case/ID, #/overview/ORG, #/outbox, #/undeliverable, #/settings, #/signin. Pure parse and build; the UI listens to hashchange.
export type Route =
  | { name: 'home' }
  | { name: 'signin' }
  | { name: 'queue' }
  | { name: 'apply' }
  | { name: 'case'; caseId: string }
  | { name: 'overview'; orgUnitId?: string }
  | { name: 'outbox' }
  | { name: 'undeliverable' }
  | { name: 'settings' }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '') return { name: 'home' };
  const [head, ...rest] = path.split('/');
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  switch (head) {
    case 'signin':
      return { name: 'signin' };
    case 'queue':
      return { name: 'queue' };
    case 'apply':
      return { name: 'apply' };
    case 'case':
      return arg ? { name: 'case', caseId: arg } : { name: 'not-found', path };
    case 'overview':
      return arg ? { name: 'overview', orgUnitId: arg } : { name: 'overview' };
    case 'outbox':
      return { name: 'outbox' };
    case 'undeliverable':
      return { name: 'undeliverable' };
    case 'settings':
      return { name: 'settings' };
    default:
      return { name: 'not-found', path };
  }
}

export const href = {
  queue: () => '#/queue',
  apply: () => '#/apply',
  case: (caseId: string) => `#/case/${encodeURIComponent(caseId)}`,
  overview: (orgUnitId?: string) => (orgUnitId ? `#/overview/${encodeURIComponent(orgUnitId)}` : '#/overview'),
  signin: () => '#/signin',
  outbox: () => '#/outbox',
  undeliverable: () => '#/undeliverable',
  settings: () => '#/settings',
};
