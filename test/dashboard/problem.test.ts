// problem+json → what the UI shows inline.
import { describe, expect, it } from 'vitest';
import { translator } from '../../functions/dashboard/src/i18n';
import { ApiError, problemKind, renderProblem, toProblem } from '../../functions/dashboard/src/lib/problem';

const zh = translator('zh-CN');
const en = translator('en');

describe('reading a problem body', () => {
  it('keeps the RFC 9457 fields and the errors list', () => {
    const body = {
      type: 'https://shudi.dev/problems/validation',
      title: 'The request is not valid',
      status: 400,
      detail: '2 fields are not valid',
      errors: [
        { path: 'body.reason', message: 'a reason is required' },
        { path: 'body.date', message: 'a date is YYYY-MM-DD' },
      ],
      extra: 'ignored',
    };
    expect(toProblem(400, body)).toEqual({
      type: body.type,
      title: body.title,
      status: 400,
      detail: body.detail,
      errors: body.errors,
    });
  });

  it('a body that is not a problem still gives one with the status', () => {
    expect(toProblem(502, '<html>Bad gateway</html>')).toEqual({ status: 502, detail: '<html>Bad gateway</html>' });
    expect(toProblem(500, '')).toEqual({ status: 500 });
    expect(toProblem(500, null)).toEqual({ status: 500 });
    expect(toProblem(500, [1, 2])).toEqual({ status: 500 });
  });

  it('the kind is the last segment of the type', () => {
    expect(problemKind('https://shudi.dev/problems/conflict')).toBe('conflict');
    expect(problemKind('https://shudi.dev/problems/not-found/')).toBe('not-found');
    expect(problemKind(undefined)).toBeUndefined();
  });
});

describe('rendering', () => {
  it('400: our title by type, the server detail, each field with its label', () => {
    const err = new ApiError(400, toProblem(400, {
      type: 'https://shudi.dev/problems/validation',
      title: 'The request is not valid',
      status: 400,
      detail: '2 fields are not valid',
      errors: [
        { path: 'body.reason', message: 'a reason is required' },
        { path: 'body.somethingNew', message: 'is odd' },
      ],
    }));
    expect(renderProblem(err, zh)).toEqual({
      title: '请求内容有误',
      detail: '2 fields are not valid',
      errors: [
        { field: '原因', path: 'body.reason', message: 'a reason is required' },
        { field: 'somethingNew', path: 'body.somethingNew', message: 'is odd' },
      ],
    });
  });

  it('409: the reason the case refuses is the detail', () => {
    const err = new ApiError(409, { type: 'https://shudi.dev/problems/conflict', title: 'Conflict', status: 409, detail: 'acknowledge is not allowed: the case is acknowledged' });
    expect(renderProblem(err, en)).toEqual({ title: 'The case does not allow this now', detail: 'acknowledge is not allowed: the case is acknowledged', errors: [] });
  });

  it('an unknown type falls back to the server title, then the status', () => {
    expect(renderProblem(new ApiError(418, { type: 'https://x/teapot', title: 'I am a teapot', status: 418 }), en).title).toBe('I am a teapot');
    expect(renderProblem(new ApiError(503, { status: 503 }), en).title).toBe('The server answered 503');
    expect(renderProblem(new ApiError(503, { status: 503 }), zh).title).toBe('服务器返回 503');
  });

  it('a detail equal to the title is not repeated', () => {
    expect(renderProblem(new ApiError(500, { title: 'Boom', detail: 'Boom', status: 500 }), en)).toEqual({ title: 'Boom', errors: [] });
  });

  it('a network failure or any other throw: the connection message', () => {
    expect(renderProblem(new ApiError(0, { detail: 'Failed to fetch' }), zh)).toEqual({ title: '无法连接服务器，请检查网络后重试。', detail: 'Failed to fetch', errors: [] });
    expect(renderProblem(new TypeError('x'), en).title).toBe('The server cannot be reached. Check the connection and try again.');
  });
});
