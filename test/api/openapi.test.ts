// GET /openapi.json: an OpenAPI 3.1 document generated from the route table and the zod schemas,
// listing every route the router serves, with every reference resolvable.
import { describe, expect, it } from 'vitest';
import { createApi, type ApiEvent } from '../../functions/api/app';
import { districtContext } from '../../functions/app/district-context';
import type { CaseService } from '../../functions/app/case-service';
import { VirtualClock } from '../../functions/domain/clock';
import type { AuditStore } from '../../functions/store/audit-store';
import type { CaseStore } from '../../functions/store/case-store';
import type { RegisterStore } from '../../functions/store/register-store';
import { tinyDistrict } from '../support/tiny-district';

// No store is touched: the document comes from the route table alone.
const api = createApi({
  cases: {} as CaseStore,
  register: {} as RegisterStore,
  audit: {} as AuditStore,
  service: {} as CaseService,
  district: districtContext(tinyDistrict),
  clock: new VirtualClock('2026-03-02T02:00:00.000Z'),
  logger: { info: () => undefined, error: () => undefined } as never,
});

async function fetchDocument() {
  const out = await api.handler({ rawPath: '/openapi.json', headers: {}, requestContext: { requestId: 'o', http: { method: 'GET' }, stage: '$default' }, isBase64Encoded: false } as unknown as ApiEvent);
  expect(out.statusCode).toBe(200);
  return JSON.parse(out.body!) as Record<string, any>;
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) refsIn(x, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('OpenAPI', () => {
  it('is OpenAPI 3.1 and lists every route of the router, and nothing else', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    const served = api.routes.map((r) => `${r.method} ${r.path}`).sort();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
    expect(served).toHaveLength(20 + 7); // + the exchange's routes (functions/api/exchange-routes.ts)
    const ids = api.routes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes parameters, bodies, responses and security per route', async () => {
    const doc = await fetchDocument();
    for (const r of api.routes) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      expect(op.operationId).toBe(r.operationId);
      for (const name of [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        expect(op.parameters, `${r.path} documents path parameter ${name}`).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }));
      }
      expect(Object.keys(op.responses)).toContain(String(r.response.status));
      expect(op.responses['500'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
      if (r.auth === 'staff') {
        expect(op.security).toEqual([{ bearer: [] }]);
        expect(op.responses['401']).toBeDefined();
      } else expect(op.security).toEqual([]);
      if (r.body) expect(op.requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${r.body.componentId}`);
      if (r.idempotencyKey) expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    }
    const queue = doc.paths['/queues/{orgUnitId}'].get.parameters.map((p: { name: string }) => p.name);
    expect(queue).toEqual(['orgUnitId', 'status', 'type', 'overdue', 'include', 'cursor', 'limit']);
    expect(doc.paths['/imports/subjects'].post.requestBody.content['text/csv']).toBeDefined();
  });

  it('every $ref resolves, and the schemas come from zod (enums, formats, required fields)', async () => {
    const doc = await fetchDocument();
    const schemas = doc.components.schemas as Record<string, any>;
    for (const ref of refsIn(doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    expect(schemas.Case.properties.type.enum).toEqual(['handover', 'follow_up', 'health_check', 'certificate_check', 'unit_notice', 'change_report', 'application']);
    expect(schemas.Case.required).toEqual(expect.arrayContaining(['caseId', 'status', 'dueAt', 'overdue', 'allowedActions']));
    expect(schemas.Case.properties.history.items).toEqual({ $ref: '#/components/schemas/HistoryEntry' });
    const kinds = (schemas.CreateCase.oneOf ?? schemas.CreateCase.anyOf).map((o: { properties: { type: { const: string } } }) => o.properties.type.const);
    expect(kinds).toEqual(['handover', 'follow_up', 'health_check', 'certificate_check', 'application']);
    const staffRow = schemas.StaffImport.items;
    expect(staffRow.properties.phone.pattern).toBeDefined();
    expect(staffRow.properties.email.format).toBe('email');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
