// The HTTP API's routes on API Gateway, one per endpoint of docs/api.md. Explicit routes (no
// `{proxy+}` catch-all): a path the product does not serve on AWS, the local `/dev/*` endpoints
// above all, is answered 404 by API Gateway and never reaches the Lambda.
// test/infra/district-stack.test.ts checks this list against functions/api/routes.ts.

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** public: no token (health, the OpenAPI document); staff: the Cognito JWT authorizer. */
  auth: 'public' | 'staff';
}

export const apiRoutes: readonly ApiRoute[] = [
  { method: 'GET', path: '/health', auth: 'public' },
  { method: 'GET', path: '/openapi.json', auth: 'public' },
  { method: 'GET', path: '/me', auth: 'staff' },
  { method: 'GET', path: '/org-units', auth: 'staff' },
  { method: 'GET', path: '/subjects', auth: 'staff' },
  { method: 'PATCH', path: '/subjects/{subjectId}', auth: 'staff' },
  { method: 'POST', path: '/cases', auth: 'staff' },
  { method: 'GET', path: '/queues/{orgUnitId}', auth: 'staff' },
  { method: 'GET', path: '/cases/{caseId}', auth: 'staff' },
  { method: 'POST', path: '/cases/{caseId}/actions', auth: 'staff' },
  { method: 'GET', path: '/reports/overdue-handovers', auth: 'staff' },
  { method: 'GET', path: '/reports/on-time', auth: 'staff' },
  { method: 'GET', path: '/reports/late-reporting', auth: 'staff' },
  { method: 'POST', path: '/imports/staff', auth: 'staff' },
  { method: 'POST', path: '/imports/subjects', auth: 'staff' },
  { method: 'GET', path: '/audit', auth: 'staff' },
  { method: 'GET', path: '/staff/undeliverable', auth: 'staff' },
  { method: 'POST', path: '/staff/{staffId}/undeliverable/clear', auth: 'staff' },
  { method: 'PATCH', path: '/staff/{staffId}/preferences', auth: 'staff' },
];
