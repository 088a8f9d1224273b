// The delivery of a district whose config sends SMS and e-mail directly (chuanhui: Aliyun SMS and SMTP): the
// deliverMessage function, invoked by the publisher only, reading exactly the two named secrets and writing only
// dedupe keys; no SMS-gateway subscription on the topic; 0 unacknowledged cdk-nag findings. A China region with a
// channel left on SNS stops synth with the file, the JSON path and the reason.
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { districtConfig } from '../../functions/domain/district-config';
import { DistrictStack } from '../../infra/district-stack';
import { cdkJsonContext, cfnText, districts, nagFindings, resourcesOfType, roleStatements, synthDistrict, type Synthesized } from '../infra/synth';
import { rmSync } from 'node:fs';

describe('reminder delivery on AWS (chuanhui: Aliyun SMS and SMTP)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthDistrict('chuanhui', { settings: { dashboardDist: '/nonexistent/shudi-dashboard-dist' } });
  }, 120_000);
  afterAll(() => rmSync(s.outdir, { recursive: true, force: true }));

  const fnId = () => {
    const [found] = resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'shudi-deliverMessage');
    expect(found, 'the deliverMessage function').toBeDefined();
    return found![0];
  };
  const roleOf = (id: string) => cfnText(s.json.Resources[id]!.Properties!.Role).replace(/\.Arn$/, '');

  it('deliverMessage may read exactly the two secrets the config names, and write only its dedupe keys', () => {
    const statements = roleStatements(s.json).filter((x) => x.role === roleOf(fnId()));
    const secretReads = statements.filter((x) => [x.statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    const resources = secretReads.flatMap((x) => [x.statement.Resource].flat().map(cfnText)).sort();
    expect(resources).toEqual([
      expect.stringMatching(/:secret:shudi\/prod\/chuanhui\/sms-aliyun-\?\?\?\?\?\?$/),
      expect.stringMatching(/:secret:shudi\/prod\/chuanhui\/smtp-\?\?\?\?\?\?$/),
    ]);
    // What it is allowed (the Deny statements that keep the audit log append-only name more actions).
    const dynamo = statements.filter((x) => x.statement.Effect === 'Allow').flatMap((x) => [x.statement.Action].flat()).filter((a) => String(a).startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // Nobody else reads them.
    const others = roleStatements(s.json).filter((x) => x.role !== roleOf(fnId()) && [x.statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(others.flatMap((x) => [x.statement.Resource].flat().map(cfnText)).filter((r) => r.includes('chuanhui/s'))).toEqual([]);
  });

  it('the publisher may invoke it (that function only) and is told its name; no SMS-gateway subscriber on the topic', () => {
    const [pubId, pub] = resourcesOfType(s.json, 'AWS::Lambda::Function').find(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'shudi-publishDue')!;
    void pubId;
    expect(cfnText(pub.Properties!.Environment.Variables.SHUDI_DELIVER_FUNCTION)).toBe(fnId());
    const invokes = roleStatements(s.json).filter((x) => [x.statement.Action].flat().includes('lambda:InvokeFunction') && [x.statement.Resource].flat().map(cfnText).includes(`${fnId()}.Arn`));
    expect(invokes.map((x) => x.role)).toEqual([roleOf(pubId)]);
    expect(resourcesOfType(s.json, 'AWS::SNS::Subscription').filter(([, r]) => r.Properties?.Protocol === 'lambda')).toEqual([]);
    expect(resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'shudi-smsGateway')).toEqual([]);
  });

  it('cdk-nag: nothing unacknowledged', () => {
    expect(nagFindings(s).filter((f) => f.paths.some((p) => p.includes('ReminderDelivery')))).toEqual([]);
  });
});

describe('a China region needs both channels sent directly', () => {
  // The district's own issuer (a China stack needs one before anything else is checked).
  const CHINA_ISSUER = { issuer: 'https://id.example.gov.cn/realms/shudi', audience: ['shudi-dashboard'], clientId: 'shudi-dashboard', claims: { staffId: 'custom:staffId', orgUnitId: 'custom:orgUnitId', role: 'custom:role', district: 'custom:district' } };
  it('SMS left on SNS: synth stops naming the file, the JSON path and the reason', () => {
    const district = districtConfig.parse({ ...districts.chuanhui!, delivery: { ...districts.chuanhui!.delivery, sms: { provider: 'sns' } } });
    const app = new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
    expect(() => new DistrictStack(app, 'shudi-test-chuanhui', { district, stage: 'test', env: { region: 'cn-northwest-1' }, settings: { dashboardDist: '/nonexistent', oidc: CHINA_ISSUER } })).toThrow(
      /seeds\/districts\/chuanhui\.json: delivery\.sms: SNS sends no SMS in cn-northwest-1/,
    );
  });

  it('e-mail left on SNS: the same', () => {
    const district = districtConfig.parse({ ...districts.chuanhui!, delivery: { ...districts.chuanhui!.delivery, email: { provider: 'sns' } } });
    const app = new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
    expect(() => new DistrictStack(app, 'shudi-test-chuanhui', { district, stage: 'test', env: { region: 'cn-north-1' }, settings: { dashboardDist: '/nonexistent', oidc: CHINA_ISSUER } })).toThrow(
      /seeds\/districts\/chuanhui\.json: delivery\.email: cn-north-1 \(aws-cn\) has no SES/,
    );
  });
});
