// The application form's pure part: what it checks before sending, the body of POST /cases it sends, and where a
// problem's field path puts the server's message.
import { describe, expect, it } from 'vitest';
import { applicationBody, applicationFieldOf, validateApplication } from '../../functions/dashboard/src/lib/application';
import { href, parseRoute } from '../../functions/dashboard/src/lib/routes';
import { createCaseBody } from '../../functions/api/schemas';

const codes = [
  { code: 'birth_service_registration', name: { 'zh-CN': '生育服务登记', en: 'Birth service registration' } },
  { code: 'one_child_certificate', name: { 'zh-CN': '独生子女父母光荣证', en: "One-child parents' certificate" } },
];
const paths = (f: Parameters<typeof validateApplication>[0]) => validateApplication(f, codes, '2026-03-02').map((e) => e.path);

describe('application form', () => {
  it('needs a subject, a code from the list and a received date not after today', () => {
    expect(paths({ subjectId: 's-1', code: 'birth_service_registration', receivedOn: '2026-03-02' })).toEqual([]);
    expect(paths({ subjectId: '  ', code: 'birth_service_registration', receivedOn: '2026-03-02' })).toEqual(['body.subjectId']);
    // Only a listed code: nothing typed in goes through.
    expect(paths({ subjectId: 's-1', code: '', receivedOn: '2026-03-02' })).toEqual(['body.code']);
    expect(paths({ subjectId: 's-1', code: 'pregnancy_test', receivedOn: '2026-03-02' })).toEqual(['body.code']);
    expect(paths({ subjectId: 's-1', code: 'one_child_certificate', receivedOn: '2026-03-03' })).toEqual(['body.receivedOn']);
    expect(paths({ subjectId: 's-1', code: 'one_child_certificate', receivedOn: '3/2/2026' })).toEqual(['body.receivedOn']);
    expect(validateApplication({ subjectId: 's-1', code: 'one_child_certificate', receivedOn: '2026-03-03' }, codes, '2026-03-02')[0]!.key).toBe('apply.receivedFuture');
  });

  it('sends the body POST /cases takes for an application, and nothing else', () => {
    const body = applicationBody({ subjectId: ' s-000011 ', code: 'one_child_certificate', receivedOn: '2026-03-02' });
    expect(body).toEqual({ type: 'application', subjectId: 's-000011', code: 'one_child_certificate', receivedOn: '2026-03-02' });
    // The API's own schema (strict: an extra field would be refused) accepts it.
    expect(createCaseBody.safeParse(body).success).toBe(true);
  });

  it("puts a problem's message under the field its path names; a 404 under the subject; the rest in the box", () => {
    expect(applicationFieldOf(400, 'body.receivedOn')).toBe('body.receivedOn');
    expect(applicationFieldOf(400, 'body.code')).toBe('body.code');
    expect(applicationFieldOf(400, 'body.subjectId')).toBe('body.subjectId');
    expect(applicationFieldOf(400, 'body')).toBeUndefined();
    expect(applicationFieldOf(404, undefined)).toBe('body.subjectId');
    expect(applicationFieldOf(409, undefined)).toBeUndefined();
  });

  it('has its page at #/apply', () => {
    expect(href.apply()).toBe('#/apply');
    expect(parseRoute(href.apply())).toEqual({ name: 'apply' });
  });
});
