// Department signing keys on AWS: each department's own Secrets Manager secret, read at cold start and kept (a mocked
// Secrets Manager: there is no local one), the exact GetSecretValue requests; and POST /events through the API wired as
// the Lambda wires it (functions/api/lambda.ts), on DynamoDB Local: a batch signed with the secret's key is applied, one
// signed with the dev (environment) key is refused.
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEPARTMENT_SECRETS_ENV, departmentKeysFromSecrets, departmentSecretIds, secretReader } from '../../functions/adapters/secrets';
import { createApi } from '../../functions/api/app';
import { composeDistrict } from '../../functions/app/compose';
import { signBody } from '../../functions/domain/department-events';
import { districtConfig } from '../../functions/domain/district-config';
import { LocalRuntime } from '../../dev/local/runtime';
import { VirtualClock } from '../../functions/domain/clock';
import { documentClient } from '../../functions/store/client';
import { dynamoEndpoint, uniqueTableName } from '../support/dynamodb';
import { CHUANHUI, YILING, exchangeDistrict } from './support';

const sm = mockClient(SecretsManagerClient);
beforeEach(() => sm.reset());

const ARN = {
  'civil-affairs': 'arn:aws-cn:secretsmanager:cn-northwest-1:111111111111:secret:shudi/test/chuanhui/department/civil-affairs-AbCdEf',
  'public-security': 'arn:aws-cn:secretsmanager:cn-northwest-1:111111111111:secret:shudi/test/chuanhui/department/public-security-GhIjKl',
};
const SECRET_KEY = 's'.repeat(64);

describe('department keys from Secrets Manager', () => {
  it('reads each department’s own secret once, at cold start, by its ARN; a department with no secret has no key', async () => {
    sm.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => ({ SecretString: `key-of-${input.SecretId}`.padEnd(40, '.') }));
    const keys = departmentKeysFromSecrets(secretReader(new SecretsManagerClient({ region: 'cn-northwest-1' })), ARN);
    await keys.prefetch();
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input).sort((a, b) => a.SecretId!.localeCompare(b.SecretId!))).toEqual([
      { SecretId: ARN['civil-affairs'] },
      { SecretId: ARN['public-security'] },
    ]);
    expect(await keys.key('civil-affairs')).toBe(`key-of-${ARN['civil-affairs']}`.padEnd(40, '.'));
    expect(await keys.key('public-security')).toMatch(/^key-of-.*public-security/);
    expect(await keys.key('health')).toBeUndefined();
    expect(await keys.key('constructor')).toBeUndefined();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2); // kept in memory
  });

  it('does not keep a failed read: the next use reads again', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })).resolves({ SecretString: SECRET_KEY });
    const keys = departmentKeysFromSecrets(secretReader(new SecretsManagerClient({ region: 'cn-northwest-1' })), { 'civil-affairs': ARN['civil-affairs'] });
    const [first] = await keys.prefetch();
    expect(first!.status).toBe('rejected');
    expect(await keys.key('civil-affairs')).toBe(SECRET_KEY);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reads the map from SHUDI_DEPARTMENT_SECRETS, and stops on a malformed one', () => {
    expect(departmentSecretIds({})).toEqual({});
    expect(departmentSecretIds({ [DEPARTMENT_SECRETS_ENV]: JSON.stringify(ARN) })).toEqual(ARN);
    expect(() => departmentSecretIds({ [DEPARTMENT_SECRETS_ENV]: '["x"]' })).toThrow(DEPARTMENT_SECRETS_ENV);
    expect(() => departmentSecretIds({ [DEPARTMENT_SECRETS_ENV]: '{"a":1}' })).toThrow(DEPARTMENT_SECRETS_ENV);
  });
});

describe('POST /events with the keys from Secrets Manager', () => {
  const START = '2026-03-02T02:00:00.000Z';
  const ENV_KEY = 'e'.repeat(40);
  let rt: LocalRuntime;
  beforeAll(async () => {
    process.env.SHUDI_DEPARTMENT_KEY_CIVIL_AFFAIRS = ENV_KEY;
    const base = exchangeDistrict('chuanhui', CHUANHUI, [YILING]);
    const config = districtConfig.parse({
      ...base,
      exchange: {
        ...base.exchange,
        departments: [
          { id: 'civil-affairs', name: { zh: '民政局', en: 'Civil Affairs' }, events: ['marriage'] },
          { id: 'public-security', name: { zh: '公安', en: 'Public Security' }, events: ['birth'] },
        ],
      },
    });
    rt = await LocalRuntime.create({ endpoint: dynamoEndpoint(), config, clock: new VirtualClock(START), tableName: uniqueTableName('x-keys'), reminders: false });
  }, 120_000);
  afterAll(() => {
    delete process.env.SHUDI_DEPARTMENT_KEY_CIVIL_AFFAIRS;
  });

  it('accepts a batch signed with the department’s secret and refuses the dev key and a too-short secret, writing nothing', async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN['civil-affairs'] }).resolves({ SecretString: SECRET_KEY });
    sm.on(GetSecretValueCommand, { SecretId: ARN['public-security'] }).resolves({ SecretString: 'short' });
    const keys = departmentKeysFromSecrets(secretReader(new SecretsManagerClient({ region: 'cn-northwest-1' })), ARN);
    const parts = composeDistrict({ doc: documentClient(rt.client), tableName: rt.tableName, district: rt.district, clock: rt.clock, departmentKeys: keys.key });
    const api = createApi({ ...parts, logger: new Logger({ serviceName: 'shudi-api-test', logLevel: 'SILENT' }) });
    const post = (department: string, key: string, events: unknown[]) => {
      const body = JSON.stringify({ events });
      const ts = String(Math.floor(Date.parse(START) / 1000));
      const headers = { 'content-type': 'application/json', 'x-shudi-department': department, 'x-shudi-timestamp': ts, 'x-shudi-signature': signBody(key, ts, body) };
      return api.handler({ version: '2.0', routeKey: 'POST /events', rawPath: '/events', rawQueryString: '', headers, requestContext: { http: { method: 'POST', path: '/events' }, requestId: `r-${Math.random()}`, stage: '$default' }, body, isBase64Encoded: false } as never);
    };
    const marriage = [{ eventId: 'mar-1', type: 'marriage', subjectId: 'bride-1', date: '2026-03-01', communityId: 'east-a' }];
    expect((await post('civil-affairs', ENV_KEY, marriage)).statusCode).toBe(401);
    expect((await post('public-security', 'short', [{ eventId: 'b-1', type: 'birth', subjectId: 'bride-1', date: '2026-03-01' }])).statusCode).toBe(401);
    expect(await rt.register.getSubject('bride-1')).toBeUndefined();
    const ok = await post('civil-affairs', SECRET_KEY, marriage);
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body!).items).toEqual([expect.objectContaining({ eventId: 'mar-1', outcome: 'applied' })]);
    expect(await rt.register.getSubject('bride-1')).toMatchObject({ communityId: 'east-a', class: 'primary' });
  });
});
