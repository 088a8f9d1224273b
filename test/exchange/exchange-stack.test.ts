// The exchange in the synthesized Chuanhui stack: the bus, its resource policy admitting exactly the configured
// partner (its account, its event source only), the inbound and outbound rules, and least-privilege grants.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPARTMENT_SECRETS_ENV, departmentKeysFromSecrets, departmentSecretIds, secretReader } from '../../functions/adapters/secrets';
import { departmentSecretName } from '../../infra/department-keys';
import { asList, cfnText, districts, nagFindings, resourcesOfType, roleStatements, synthDistrict, type Synthesized } from '../infra/synth';

let s: Synthesized;
beforeAll(() => {
  s = synthDistrict('chuanhui');
}, 240_000);

const partner = () => districts.chuanhui!.exchange!.partners[0]!;

describe('the exchange bus of a district stack', () => {
  it('admits exactly the configured partners, each with its own event source', () => {
    const bus = resourcesOfType(s.json, 'AWS::Events::EventBus')[0]![1] as { Properties: Record<string, any> };
    expect(bus.Properties.Name).toBe('shudi-exchange-test');
    const policies = resourcesOfType(s.json, 'AWS::Events::EventBusPolicy');
    const statements = policies.map(([, p]) => p.Properties!.Statement as Record<string, any>);
    const inline = asList(bus.Properties.Policy?.Statement);
    const all = [...statements, ...inline];
    expect(all).toHaveLength(districts.chuanhui!.exchange!.partners.length);
    const [st] = all;
    expect(st).toMatchObject({ Effect: 'Allow', Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': 'shudi.district.420506' } } });
    expect(cfnText(st!.Principal.AWS)).toContain(`:iam::${partner().account}:root`);
    expect(cfnText(st!.Resource)).toContain('Bus');
  });

  it('routes partner messages addressed to this district to the receiver, and its own to each partner’s bus', () => {
    const rules = resourcesOfType(s.json, 'AWS::Events::Rule').map(([id, r]) => ({ id, p: r.Properties! }));
    const inbound = rules.find((r) => r.id.includes('InboundRule'))!;
    expect(inbound.p.EventPattern).toEqual({ source: ['shudi.district.420506'], detail: { to: ['411602'] } });
    expect(cfnText(inbound.p.Targets[0].Arn)).toMatch(/ExchangeReceiveFn/);
    const outbound = rules.find((r) => r.id.includes('To420506Rule'))!;
    expect(outbound.p.EventPattern).toEqual({ source: ['shudi.district.411602'], detail: { to: ['420506'] } });
    const arn = `arn:aws:events:${partner().region}:${partner().account}:event-bus/${partner().bus}`;
    expect(cfnText(outbound.p.Targets[0].Arn)).toBe(arn);
    // The role EventBridge assumes for it may put events on that one bus.
    const role = cfnText(outbound.p.Targets[0].RoleArn).replace(/\.Arn$/, '');
    const grants = roleStatements(s.json).filter((x) => x.role === role);
    expect(grants.map((g) => [asList(g.statement.Action), cfnText(g.statement.Resource)])).toEqual([[['events:PutEvents'], arn]]);
  });

  it('lets the dispatcher put events on its own bus only, and the receiver none', () => {
    const statements = roleStatements(s.json);
    const events = statements.filter((x) => asList(x.statement.Action).some((a) => a.startsWith('events:')));
    const dispatcher = events.filter((x) => x.role.includes('ExchangeDispatchFn'));
    expect(dispatcher.map((g) => [asList(g.statement.Action), cfnText(g.statement.Resource)])).toEqual([[['events:PutEvents'], expect.stringMatching(/ExchangeBus.*\.Arn$/)]]);
    expect(events.filter((x) => x.role.includes('ExchangeReceiveFn'))).toEqual([]);
    // Nothing in the stack may put events on any bus ('*').
    expect(events.filter((x) => cfnText(x.statement.Resource) === '*')).toEqual([]);
  });

  it('gives each department its own signing-key secret, which the API reads at cold start: exactly the secrets it is granted', async () => {
    const departments = districts.chuanhui!.exchange!.departments;
    expect(departments.length).toBeGreaterThan(0);
    const secrets = resourcesOfType(s.json, 'AWS::SecretsManager::Secret').filter(([, r]) => String(r.Properties!.Name ?? '').includes('/department/'));
    expect(secrets.map(([, r]) => r.Properties!.Name).sort()).toEqual(departments.map((d) => departmentSecretName('test', 'chuanhui', d.id)).sort());
    for (const [id, r] of secrets) {
      expect(r.Properties!.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
      expect(r.Properties!.SecretString).toBeUndefined();
      expect(cfnText(r.Properties!.KmsKeyId), id).toMatch(/Key.*\.Arn$/);
      expect(r.DeletionPolicy).toBe('Retain');
    }
    // What the API function's code does at cold start, on a mocked Secrets Manager: every GetSecretValue it sends.
    const api = resourcesOfType(s.json, 'AWS::Lambda::Function').find(([id]) => id.includes('ApiFn'))!;
    const env = api[1].Properties!.Environment.Variables as Record<string, unknown>;
    const map = departmentSecretIds({ [DEPARTMENT_SECRETS_ENV]: cfnText(env[DEPARTMENT_SECRETS_ENV]) });
    expect(Object.keys(map).sort()).toEqual(departments.map((d) => d.id).sort());
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'k'.repeat(64) });
    await departmentKeysFromSecrets(secretReader(new SecretsManagerClient({ region: 'cn-northwest-1' })), map).prefetch();
    const read = new Set(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId));
    sm.restore();
    // ... each of which its role may read; and the department secrets are read by no other role.
    const apiRole = cfnText(api[1].Properties!.Role).replace(/\.Arn$/, '');
    const grants = roleStatements(s.json).filter((x) => asList(x.statement.Action).includes('secretsmanager:GetSecretValue'));
    const apiGranted = new Set(grants.filter((x) => x.role === apiRole).flatMap((x) => asList(x.statement.Resource).map(cfnText)));
    expect([...read].sort()).toEqual(secrets.map(([id]) => id).sort());
    for (const id of read) expect(apiGranted.has(id!), id).toBe(true);
    const others = grants.filter((x) => x.role !== apiRole).flatMap((x) => asList(x.statement.Resource).map(cfnText));
    for (const [id] of secrets) expect(others).not.toContain(id);
  });

  it('passes cdk-nag with the exchange in it', () => {
    expect(nagFindings(s).filter((f) => f.paths.some((p) => p.includes('Exchange')))).toEqual([]);
  });
});
