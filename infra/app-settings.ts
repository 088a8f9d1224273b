// The context (cdk.json "context", -c key=value) and environment a synth reads, checked: every value the
// stack cannot use is a ContextError naming its key. No AWS CDK imports, so tests call it directly.
import type { DashboardDomain } from './dashboard-site';
import type { DistrictStackSettings } from './district-stack';
import { ContextError, oidcSettingsFrom } from './identity-settings';
import { deployTarget, regionFrom } from './target';

type Lookup = (key: string) => string | undefined;

export interface AppSettings {
  stage: string;
  env?: { account?: string; region?: string };
  settings: DistrictStackSettings;
}

export function appSettings(lookup: Lookup, environment: Record<string, string | undefined>, districtId: string): AppSettings {
  const number = (name: string): number | undefined => {
    const v = lookup(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new ContextError(name, `must be a non-negative number, got "${v}"`);
    return n;
  };
  const perDistrict = (name: string) => lookup(`${name}.${districtId}`) ?? lookup(name);

  const stage = lookup('stage') ?? environment.SHUDI_STAGE ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) throw new ContextError('stage', `"${stage}" must be lowercase letters, digits and dashes (at most 16)`);
  const account = lookup('account') ?? environment.CDK_DEFAULT_ACCOUNT;
  const region = regionFrom(lookup('region'), environment);
  const target = deployTarget(region);

  const smsVia = lookup('smsVia');
  if (smsVia !== undefined && smsVia !== 'gateway' && smsVia !== 'sns') throw new ContextError('smsVia', `must be gateway or sns, got "${smsVia}"`);
  const gatewayUrl = lookup('smsGatewayUrl');
  if (gatewayUrl && !/^https:\/\/[^\s]+$/.test(gatewayUrl)) throw new ContextError('smsGatewayUrl', `must be an https:// URL, got "${gatewayUrl}"`);

  const oidc = oidcSettingsFrom(lookup, districtId, target.partition, region);
  const domainName = perDistrict('dashboardDomain');
  const certificate = perDistrict('dashboardCertificate');
  let dashboardDomain: DashboardDomain | undefined;
  if (domainName || certificate) {
    if (!domainName) throw new ContextError('dashboardDomain', 'required with dashboardCertificate: the host name the certificate is for');
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) throw new ContextError('dashboardDomain', `must be a lowercase host name, got "${domainName}"`);
    const expected =
      target.features.cloudFrontCertificate === 'acm'
        ? { ok: (c: string) => /^arn:aws:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(c), what: 'an ACM certificate ARN in us-east-1 (CloudFront takes certificates from there only)' }
        : { ok: (c: string) => /^[A-Z0-9]{16,128}$/.test(c), what: 'the ID of an IAM server certificate (ASCA…; CloudFront in China has no ACM: `aws iam upload-server-certificate --path /cloudfront/ …`)' };
    if (!certificate) throw new ContextError('dashboardCertificate', `required with dashboardDomain: ${expected.what}`);
    if (!expected.ok(certificate)) throw new ContextError('dashboardCertificate', `must be ${expected.what} in the ${target.partition} partition, got "${certificate}"`);
    dashboardDomain = { name: domainName, certificate };
  }

  const settings: DistrictStackSettings = {
    ...(number('overdueHandoverThreshold') !== undefined ? { overdueHandoverThreshold: number('overdueHandoverThreshold')! } : {}),
    ...(number('apiRateLimit') !== undefined ? { apiRateLimit: number('apiRateLimit')! } : {}),
    ...(number('apiBurstLimit') !== undefined ? { apiBurstLimit: number('apiBurstLimit')! } : {}),
    ...(lookup('dashboardCountries') ? { dashboardCountries: lookup('dashboardCountries')!.split(',').map((c) => c.trim().toUpperCase()) } : {}),
    ...(lookup('alarmEmail') ? { alarmEmail: lookup('alarmEmail')! } : {}),
    ...(smsVia ? { smsVia } : {}),
    ...(gatewayUrl ? { smsGatewayUrl: gatewayUrl } : {}),
    ...(perDistrict('smsGatewaySecret') ? { smsGatewaySecret: perDistrict('smsGatewaySecret')! } : {}),
    ...(lookup(`authDomainPrefix.${districtId}`) ? { authDomainPrefix: lookup(`authDomainPrefix.${districtId}`)! } : {}),
    ...(oidc ? { oidc } : {}),
    ...(dashboardDomain ? { dashboardDomain } : {}),
  };
  const env = account || region ? { ...(account ? { account } : {}), ...(region ? { region } : {}) } : undefined;
  return { stage, ...(env ? { env } : {}), settings };
}
