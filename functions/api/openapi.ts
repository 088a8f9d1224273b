// GET /openapi.json: OpenAPI 3.1 generated from the route table and its zod schemas (zod 4's
// JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as is). Nothing here is hand-written
// but the words of the info block.
import * as z from 'zod';
import { PROBLEM_BASE } from './problem';
import type { Route } from './router';
import { requestComponents, responseComponents } from './schemas';

const problemTitles: Record<number, string> = {
  400: 'validation: a path, query or body field is wrong (each listed with its path)',
  401: 'unauthenticated: no token, a bad or expired one, or one for another district',
  403: 'forbidden: outside the caller’s scope',
  404: 'not-found: no such route, case, subject or org unit in this district',
  409: 'conflict: the case’s type or state does not allow it, or an idempotency key reused with another body',
  413: 'too-large: a body over the limit',
  415: 'unsupported-media-type',
  500: 'internal: the detail carries a reference to the logs, nothing more',
};

type JsonSchema = Record<string, unknown>;

function componentSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const req = z.toJSONSchema(requestComponents, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', uri }).schemas;
  const res = z.toJSONSchema(responseComponents, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any', uri }).schemas;
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries({ ...req, ...res })) {
    const { $schema: _drop, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  out.OpenApi = { type: 'object', description: 'an OpenAPI 3.1 document' };
  return out;
}

/** Path or query parameters from an object schema, one per property. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const js = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || (js.required ?? []).includes(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

export function openApiDocument(routes: Route[], info: { title: string; version: string; district: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const problems = [...new Set([...r.problems, ...(r.auth === 'staff' ? [401] : []), 500])].sort();
    const responses: Record<string, unknown> = {
      [String(r.response.status)]: { description: r.response.description, content: { 'application/json': { schema: ref(r.response.componentId) } } },
    };
    for (const also of r.response.alsoStatus ?? []) responses[String(also.status)] = { description: also.description, content: { 'application/json': { schema: ref(r.response.componentId) } } };
    for (const status of problems) {
      responses[String(status)] = { description: problemTitles[status] ?? 'problem', content: { 'application/problem+json': { schema: ref('Problem') } } };
    }
    const params = [...parameters(r.params, 'path'), ...parameters(r.query, 'query')];
    if (r.idempotencyKey)
      params.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'up to 200 visible ASCII characters; the same key and body are applied once',
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      });
    const operation: Record<string, unknown> = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description || r.access ? { description: [r.description, r.access ? `Who: ${r.access}.` : undefined].filter(Boolean).join('\n\n') } : {}),
      tags: [r.tag],
      ...(params.length ? { parameters: params } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: ref(r.body.componentId) },
                ...(r.body.csv ? { 'text/csv': { schema: { type: 'string', description: 'a header row, then one record per line' } } } : {}),
              },
            },
          }
        : {}),
      responses,
      security: r.auth === 'staff' ? [{ bearer: [] }] : [],
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.1',
    info: {
      title: info.title,
      version: info.version,
      description: `The shudi HTTP API of district ${info.district}. Errors are application/problem+json (RFC 9457) with type ${PROBLEM_BASE}<kind>. See docs/api.md.`,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A JWT of the district's OpenID Connect issuer carrying the staff id, org unit, role and district claims (names set by OIDC_CLAIMS; default custom:staffId, custom:orgUnitId, custom:role, custom:district); locally from the provider at /oidc or POST /dev/login" } },
    },
  };
}
