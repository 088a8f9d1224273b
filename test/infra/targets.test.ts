// The two deploy targets: a China region (aws-cn: the district's own OpenID provider, no Cognito, no
// SNS SMS, CloudFront only on an ICP-recorded domain with an IAM server certificate and an origin
// access identity) and the global partition (Cognito unless an issuer is given). Both pass cdk-nag
// with nothing unacknowledged; both serve the dashboard with a Content-Security-Policy and, on its
// domain, TLS 1.2 at least. Bad context stops synth naming the key, and `cdk synth` writes nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { appSettings } from '../../infra/app-settings';
import { COGNITO_CLAIMS, ContextError, type OidcSettings } from '../../infra/identity-settings';
import { ROOT } from '../../infra/paths';
import { deployTarget, partitionOf, regionFrom } from '../../infra/target';
import { asList, cdkJsonContext, cfnText, nagFindings, resourcesOfType, roleStatements, synthDistrict, type Synthesized } from './synth';

const noDashboard = join(tmpdir(), 'shudi-no-such-dashboard-dist');
const OIDC: OidcSettings = {
  issuer: 'https://id.example.gov.cn/realms/shudi',
  audience: ['shudi-dashboard', 'shudi-api'],
  clientId: 'shudi-dashboard',
  claims: { staffId: 'preferred_username', orgUnitId: 'org_unit', role: 'shudi_role', district: 'district' },
};
const synthesized: Synthesized[] = [];
const synth = (...args: Parameters<typeof synthDistrict>) => {
  const s = synthDistrict(...args);
  synthesized.push(s);
  return s;
};
afterAll(() => synthesized.forEach((s) => rmSync(s.outdir, { recursive: true, force: true })));

const expectContextError = (fn: () => unknown, key: string, reason: RegExp) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected a ContextError for ${key}`).toBeInstanceOf(ContextError);
  expect((err as ContextError).key).toBe(key);
  expect((err as ContextError).message).toMatch(reason);
};

const authorizerOf = (s: Synthesized) => resourcesOfType(s.json, 'AWS::ApiGatewayV2::Authorizer')[0]![1].Properties!;
const cspOf = (s: Synthesized) => cfnText(resourcesOfType(s.json, 'AWS::CloudFront::ResponseHeadersPolicy')[0]![1].Properties!.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
const distributionOf = (s: Synthesized) => resourcesOfType(s.json, 'AWS::CloudFront::Distribution')[0]![1].Properties!.DistributionConfig;

describe('the partition follows from the region', () => {
  it('maps cn-* to aws-cn and every other region to aws; no region is the global target, environment-agnostic', () => {
    expect(partitionOf('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('ap-east-1')).toBe('aws');
    expect(deployTarget('cn-northwest-1').features).toMatchObject({ cognitoUserPools: false, cloudFrontOriginAccessControl: false, snsSms: false, cloudFrontCertificate: 'iam' });
    expect(deployTarget(undefined)).toMatchObject({ partition: 'aws' });
    expect(deployTarget(undefined).region).toBeUndefined();
  });

  it('takes the region from -c region or AWS_REGION / AWS_DEFAULT_REGION, never from the CLI default CDK_DEFAULT_REGION', () => {
    expect(regionFrom(undefined, { CDK_DEFAULT_REGION: 'us-east-1' })).toBeUndefined();
    expect(regionFrom('cn-northwest-1', { AWS_REGION: 'ap-east-1' })).toBe('cn-northwest-1');
    expect(regionFrom(undefined, { AWS_REGION: 'cn-north-1', CDK_DEFAULT_REGION: 'us-east-1' })).toBe('cn-north-1');
    expect(regionFrom(undefined, { AWS_DEFAULT_REGION: 'ap-east-1' })).toBe('ap-east-1');
    expect(() => regionFrom('ningxia', {})).toThrow(/not an AWS region name/);
  });
});

describe('a China region (cn-northwest-1)', () => {
  const cn = { region: 'cn-northwest-1' };

  it('without an issuer, stops synth naming oidcIssuer and why', () => {
    expectContextError(() => synthDistrict('chuanhui', { env: cn, settings: { dashboardDist: noDashboard } }), 'oidcIssuer', /aws-cn partition has no Cognito user pools/);
    expectContextError(() => appSettings((k) => ({ region: 'cn-northwest-1' })[k], {}, 'chuanhui'), 'oidcIssuer', /required for district chuanhui in cn-northwest-1/);
  });

  it('refuses SNS SMS (smsVia sns): SNS sends no SMS there', () => {
    expectContextError(() => synthDistrict('chuanhui', { env: cn, settings: { oidc: OIDC, smsVia: 'sns', dashboardDist: noDashboard } }), 'smsVia', /SNS sends no SMS/);
  });

  it('with the district’s issuer: no Cognito, the JWT authorizer on that issuer and audience, the claim names to the API; no SMS or e-mail service of AWS; nag clean', () => {
    const s = synth('chuanhui', { env: cn, settings: { oidc: OIDC, dashboardDist: noDashboard } });
    const types = new Set(Object.values(s.json.Resources).map((r) => r.Type));
    expect([...types].filter((t) => t.startsWith('AWS::Cognito::'))).toEqual([]);
    expect(s.stack.userPool).toBeUndefined();
    const auth = authorizerOf(s);
    expect(auth.AuthorizerType).toBe('JWT');
    expect(auth.JwtConfiguration).toEqual({ Issuer: OIDC.issuer, Audience: OIDC.audience });
    const api = s.json.Resources[s.stack.resolve(s.stack.apiFunction.fn.node.defaultChild && (s.stack.apiFunction.fn.node.defaultChild as any).logicalId)]!.Properties!;
    expect(api.Environment.Variables).toMatchObject({ SHUDI_OIDC_ISSUER: OIDC.issuer, SHUDI_OIDC_AUDIENCE: 'shudi-dashboard,shudi-api' });
    expect(JSON.parse(api.Environment.Variables.OIDC_CLAIMS)).toEqual(OIDC.claims);
    // Reminders go through the SMS gateway: no SNS SMS, no SES anywhere.
    const sync = s.stack.resolve((s.stack.jobFunctions.syncSubscriptions.fn.node.defaultChild as any).logicalId) as string;
    // The seeded district's SMS go to its provider directly: the sync makes no SMS subscription and needs no gateway.
    expect(s.json.Resources[sync]!.Properties!.Environment.Variables.SHUDI_SMS_VIA).toBe('direct');
    expect(s.json.Resources[sync]!.Properties!.Environment.Variables.SHUDI_SMS_GATEWAY_FUNCTION_ARN).toBeUndefined();
    // Its e-mail goes to its own mail server: the sync subscribes no staff address to the topic either.
    expect(s.json.Resources[sync]!.Properties!.Environment.Variables.SHUDI_EMAIL_VIA).toBe('direct');
    // The seeded district sends SMS and e-mail directly (deliverMessage): the topic has no subscription at all.
    expect(resourcesOfType(s.json, 'AWS::SNS::Subscription').map(([, r]) => r.Properties!.Protocol)).toEqual([]);
    const text = JSON.stringify(s.json);
    expect(text).not.toMatch(/"ses:|AWS::SES::|"sms"\s*,\s*"Protocol"|sns:SetSMSAttributes/);
    for (const { statement } of roleStatements(s.json)) for (const a of asList(statement.Action)) expect(a).not.toMatch(/^(ses|mobiletargeting|sms-voice):/);
    // Lambda has no X-Ray integration in China: no active tracing, no X-Ray grant on a function role (and no tracing
    // code in any bundle, wherever deployed: test/infra/bundles.test.ts).
    const fns = resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Environment?.Variables?.DISTRICT_ID === 'chuanhui');
    expect(fns.length).toBeGreaterThan(10);
    for (const [, r] of fns) {
      expect(r.Properties!.TracingConfig).toBeUndefined();
    }
    const fnRoles = new Set(fns.map(([, r]) => cfnText(r.Properties!.Role).replace(/\.Arn$/, '')));
    for (const { role, statement } of roleStatements(s.json)) if (fnRoles.has(role)) for (const a of asList(statement.Action)) expect(a.startsWith('xray:'), `${role} ${a}`).toBe(false);
    // Partition-agnostic: every ARN is aws-cn's.
    expect(text).not.toContain('arn:aws:');
    expect(text).not.toContain('us-east-1');
    expect(nagFindings(s)).toEqual([]);
  });

  it('without a dashboard domain, hosts no dashboard (CloudFront in China serves no default domain) and says so', () => {
    const s = synth('yiling', { env: cn, settings: { oidc: OIDC, dashboardDist: noDashboard } });
    expect(s.stack.site).toBeUndefined();
    s.template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('ICP-recorded domain with an IAM server certificate'))).toHaveLength(1);
    // No browser origin to allow: the API has no CORS configuration.
    expect(resourcesOfType(s.json, 'AWS::ApiGatewayV2::Api')[0]![1].Properties!.CorsConfiguration).toBeUndefined();
  });

  it('with its ICP-recorded domain and an IAM server certificate: CloudFront through an origin access identity, TLS 1.2, a CSP; nag clean', () => {
    const s = synth('yiling', { env: cn, settings: { oidc: OIDC, dashboardDist: noDashboard, dashboardDomain: { name: 'shudi.yiling.example.cn', certificate: 'ASCAEXAMPLEIAMCERTID01' } } });
    s.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
    s.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 1);
    const dist = distributionOf(s);
    expect(dist.Aliases).toEqual(['shudi.yiling.example.cn']);
    expect(dist.ViewerCertificate).toEqual({ IamCertificateId: 'ASCAEXAMPLEIAMCERTID01', SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    expect(dist.HttpVersion).toBe('http2');
    expect(cspOf(s)).toContain("connect-src 'self' https://*.execute-api.cn-northwest-1.amazonaws.com.cn https://id.example.gov.cn");
    // The API lets the dashboard's domain (and only it) call it from a browser.
    expect(resourcesOfType(s.json, 'AWS::ApiGatewayV2::Api')[0]![1].Properties!.CorsConfiguration.AllowOrigins).toEqual(['https://shudi.yiling.example.cn']);
    expect(nagFindings(s)).toEqual([]);
  });
});

describe('the global partition (ap-east-1)', () => {
  it('with a dashboard domain: an ACM certificate and TLSv1.2_2021; the CSP allows only this API region and Cognito; nag clean', () => {
    const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-example';
    const s = synth('chuanhui', { settings: { dashboardDist: noDashboard, dashboardDomain: { name: 'shudi.example.org', certificate } } });
    const dist = distributionOf(s);
    expect(dist.Aliases).toEqual(['shudi.example.org']);
    expect(dist.ViewerCertificate).toEqual({ AcmCertificateArn: certificate, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' });
    s.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const csp = cspOf(s);
    for (const directive of ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) expect(csp).toContain(directive);
    expect(csp).toContain('https://*.execute-api.ap-east-1.amazonaws.com');
    expect(csp).toContain('https://shudi-test-chuanhui.auth.ap-east-1.amazoncognito.com');
    expect(csp).not.toContain('unsafe');
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('accepts TLS 1.0'))).toHaveLength(0);
    expect(nagFindings(s)).toEqual([]);
  });

  it('without a dashboard domain: the cloudfront.net domain with a warning that it accepts TLS 1.0; stage prod refuses it', () => {
    const s = synth('yiling', { settings: { dashboardDist: noDashboard } });
    expect(distributionOf(s).ViewerCertificate).toBeUndefined();
    expect(distributionOf(s).Aliases).toBeUndefined();
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('accepts TLS 1.0'))).toHaveLength(1);
    expectContextError(() => synthDistrict('yiling', { stage: 'prod', settings: { dashboardDist: noDashboard } }), 'dashboardDomain', /required for stage prod/);
  });

  it("with a district's own issuer: no user pool, the authorizer on that issuer", () => {
    const s = synth('yiling', { settings: { oidc: OIDC, dashboardDist: noDashboard } });
    s.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(authorizerOf(s).JwtConfiguration).toEqual({ Issuer: OIDC.issuer, Audience: OIDC.audience });
    expect(nagFindings(s)).toEqual([]);
  });

  it('without a region: stops synth naming region (never the CLI default us-east-1)', () => {
    expectContextError(() => synthDistrict('chuanhui', { env: {}, settings: { dashboardDist: noDashboard } }), 'region', /where the district's data lives/);
  });
});

describe('context checks (infra/app-settings.ts)', () => {
  const ctx = (values: Record<string, string>) => (k: string) => values[k];

  it('reads the OIDC keys, per district first, and the claim map', () => {
    const { settings, env } = appSettings(
      ctx({
        region: 'cn-northwest-1',
        oidcIssuer: 'https://id.example.gov.cn/realms/other',
        'oidcIssuer.chuanhui': 'https://id.chuanhui.example.cn/oidc',
        oidcAudience: 'shudi-dashboard, shudi-cli',
        oidcClaims: '{"staffId":"sub","role":"shudi_role"}',
      }),
      { CDK_DEFAULT_REGION: 'us-east-1' },
      'chuanhui',
    );
    expect(env).toEqual({ region: 'cn-northwest-1' });
    expect(settings.oidc).toEqual({
      issuer: 'https://id.chuanhui.example.cn/oidc',
      audience: ['shudi-dashboard', 'shudi-cli'],
      clientId: 'shudi-dashboard',
      claims: { ...COGNITO_CLAIMS, staffId: 'sub', role: 'shudi_role' },
    });
  });

  it('names the key and the reason for every value it cannot use', () => {
    const cn = { region: 'cn-northwest-1', oidcAudience: 'a' };
    expectContextError(() => appSettings(ctx({ ...cn, oidcIssuer: 'http://id.example.cn' }), {}, 'chuanhui'), 'oidcIssuer', /https URL/);
    expectContextError(() => appSettings(ctx({ ...cn, 'oidcIssuer.chuanhui': 'not a url' }), {}, 'chuanhui'), 'oidcIssuer.chuanhui', /https URL/);
    expectContextError(() => appSettings(ctx({ region: 'cn-north-1', oidcIssuer: 'https://id.example.cn' }), {}, 'chuanhui'), 'oidcAudience', /required with oidcIssuer/);
    expectContextError(() => appSettings(ctx({ ...cn, oidcIssuer: 'https://id.example.cn', oidcClaims: '{"name":"x"}' }), {}, 'chuanhui'), 'oidcClaims.name', /unknown claim key/);
    expectContextError(() => appSettings(ctx({ ...cn, oidcIssuer: 'https://id.example.cn', oidcClaims: 'sub' }), {}, 'chuanhui'), 'oidcClaims', /JSON object/);
    expectContextError(() => appSettings(ctx({ oidcAudience: 'a' }), {}, 'chuanhui'), 'oidcAudience', /without oidcIssuer/);
    // A certificate of the other partition's kind.
    const iamId = 'ASCAEXAMPLEIAMCERTID01';
    const acmArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
    expectContextError(
      () => appSettings(ctx({ ...cn, oidcIssuer: 'https://id.example.cn', dashboardDomain: 'shudi.example.cn', dashboardCertificate: acmArn }), {}, 'chuanhui'),
      'dashboardCertificate',
      /IAM server certificate/,
    );
    expectContextError(() => appSettings(ctx({ region: 'ap-east-1', dashboardDomain: 'shudi.example.org', dashboardCertificate: iamId }), {}, 'chuanhui'), 'dashboardCertificate', /ACM certificate ARN in us-east-1/);
    expectContextError(() => appSettings(ctx({ dashboardCertificate: acmArn }), {}, 'chuanhui'), 'dashboardDomain', /required with dashboardCertificate/);
    expectContextError(() => appSettings(ctx({ smsVia: 'carrier-pigeon' }), {}, 'chuanhui'), 'smsVia', /gateway or sns/);
  });
});

describe('`cdk synth` (infra/app.ts) end to end, offline, no credentials', () => {
  const runApp = (context: Record<string, unknown>, env: Record<string, string> = {}) => {
    const outdir = mkdtempSync(join(tmpdir(), 'shudi-app-'));
    try {
      const stdout = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'infra', 'app.ts')], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? tmpdir(),
          CDK_OUTDIR: outdir,
          // As the CLI sets it when nothing is configured: it must not end up in the template.
          CDK_DEFAULT_REGION: 'us-east-1',
          // What the CLI passes: cdk.json's context and the -c values.
          CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext, 'aws:cdk:bundling-stacks': [], ...context }),
          ...env,
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
      return { ok: true as const, outdir, stdout, stderr: '' };
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string };
      return { ok: false as const, outdir, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('a China region without an issuer: fails naming context oidcIssuer, and writes no template', () => {
    const r = runApp({ district: 'chuanhui', region: 'cn-northwest-1' });
    dirs.push(r.outdir);
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain('context oidcIssuer');
    expect(r.stderr).toContain('aws-cn partition has no Cognito user pools');
    expect(readdirSync(r.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  }, 120_000);

  it('no region: fails naming context region, though the CLI set CDK_DEFAULT_REGION=us-east-1; writes no template', () => {
    const r = runApp({ district: 'chuanhui' });
    dirs.push(r.outdir);
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain('context region');
    expect(readdirSync(r.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  }, 120_000);

  it('a China region with an issuer synthesizes an aws-cn template that names no global region', () => {
    const r = runApp({ district: 'chuanhui', region: 'cn-northwest-1', oidcIssuer: 'https://id.example.gov.cn/realms/shudi', oidcAudience: 'shudi-dashboard' });
    dirs.push(r.outdir);
    expect(r.ok, r.stderr).toBe(true);
    const text = readFileSync(join(r.outdir, 'shudi-dev-chuanhui.template.json'), 'utf8');
    expect(text).toContain('arn:aws-cn:');
    expect(text).not.toContain('us-east-1');
    expect(text).not.toContain('arn:aws:');
  }, 180_000);
});
