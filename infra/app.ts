// One stack per district config in seeds/districts/: adding a district is adding a JSON file.
//
//   npx cdk synth                        every district (the CLI synthesizes all stacks)
//   npx cdk synth -c district=chuanhui   one district
//   npx cdk deploy -c district=chuanhui -c stage=prod
//
// Stage, account and region come from context (-c stage=… -c account=… -c region=…) or the
// environment (SHUDI_STAGE, CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION); nothing account-specific is
// committed. Without them the stacks are environment-agnostic, and synth needs no credentials.
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadAllDistricts } from '../functions/seed/load-district';
import { DistrictStack, type DistrictStackSettings } from './district-stack';
import { ROOT } from './paths';

const app = new App();
const context = (name: string): string | undefined => {
  const v = app.node.tryGetContext(name) as unknown;
  return v === undefined || v === null || v === '' ? undefined : String(v);
};
const number = (name: string): number | undefined => {
  const v = context(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`context ${name} must be a non-negative number, got "${v}"`);
  return n;
};

function smsVia(v: string): 'gateway' | 'sns' {
  if (v !== 'gateway' && v !== 'sns') throw new Error(`context smsVia must be gateway or sns, got "${v}"`);
  return v;
}
const gatewayUrl = context('smsGatewayUrl');
if (gatewayUrl && !/^https:\/\/[^\s]+$/.test(gatewayUrl)) throw new Error(`context smsGatewayUrl must be an https:// URL, got "${gatewayUrl}"`);

const only = context('district');
const stage = context('stage') ?? process.env.SHUDI_STAGE ?? 'dev';
if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) throw new Error(`stage "${stage}" must be lowercase letters, digits and dashes (at most 16)`);
const account = context('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
const region = context('region') ?? process.env.CDK_DEFAULT_REGION;
const env = account || region ? { ...(account ? { account } : {}), ...(region ? { region } : {}) } : undefined;

const settings: DistrictStackSettings = {
  ...(number('overdueHandoverThreshold') !== undefined ? { overdueHandoverThreshold: number('overdueHandoverThreshold')! } : {}),
  ...(number('apiRateLimit') !== undefined ? { apiRateLimit: number('apiRateLimit')! } : {}),
  ...(number('apiBurstLimit') !== undefined ? { apiBurstLimit: number('apiBurstLimit')! } : {}),
  ...(context('dashboardCountries') ? { dashboardCountries: context('dashboardCountries')!.split(',').map((c) => c.trim().toUpperCase()) } : {}),
  ...(context('alarmEmail') ? { alarmEmail: context('alarmEmail')! } : {}),
  ...(context('smsVia') ? { smsVia: smsVia(context('smsVia')!) } : {}),
  ...(context('smsGatewayUrl') ? { smsGatewayUrl: context('smsGatewayUrl')! } : {}),
  ...(context('smsGatewaySecret') ? { smsGatewaySecret: context('smsGatewaySecret')! } : {}),
};

const districts = loadAllDistricts(join(ROOT, 'seeds', 'districts')).filter((d) => !only || d.id === only);
if (only && districts.length === 0) throw new Error(`no district config seeds/districts/${only}.json`);
for (const district of districts) {
  const authDomainPrefix = context(`authDomainPrefix.${district.id}`);
  new DistrictStack(app, `shudi-${stage}-${district.id}`, {
    district,
    stage,
    ...(env ? { env } : {}),
    terminationProtection: stage === 'prod',
    description: `shudi ${stage}: ${district.name.en} (${district.id}) case routing`,
    settings: { ...settings, ...(authDomainPrefix ? { authDomainPrefix } : {}) },
  });
}

// cdk-nag: the AwsSolutions pack validates every stack at synth; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
