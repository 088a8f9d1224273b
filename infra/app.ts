// One stack per district config in seeds/districts/: adding a district is adding a JSON file.
//
//   npx cdk synth -c district=chuanhui -c region=cn-northwest-1 -c oidcIssuer=https://… -c oidcAudience=…
//   npx cdk synth -c district=chuanhui -c region=ap-east-1        (global partition: a Cognito user pool)
//   npx cdk deploy -c district=chuanhui -c stage=prod …
//
// The region (-c region=, or AWS_REGION / AWS_DEFAULT_REGION) decides the partition and so what the stack
// uses (./target.ts, docs/deploy-china.md), and where the district's data lives: without one synth stops
// and says so, rather than pinning the CLI's default (CDK_DEFAULT_REGION, us-east-1 when nothing is
// configured) into the template. Account from -c account= or CDK_DEFAULT_ACCOUNT; nothing
// account-specific is committed, and synth needs no credentials.
// A context value the target cannot use stops synth before anything is written, naming the key and why.
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadAllDistricts } from './district-config-files';
import { appSettings } from './app-settings';
import { DistrictStack } from './district-stack';
import { ROOT } from './paths';

const app = new App();
const lookup = (name: string): string | undefined => {
  const v = app.node.tryGetContext(name) as unknown;
  return v === undefined || v === null || v === '' ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);
};

const only = lookup('district');
const districts = loadAllDistricts(join(ROOT, 'seeds', 'districts')).filter((d) => !only || d.id === only);
if (only && districts.length === 0) throw new Error(`no district config seeds/districts/${only}.json`);
for (const district of districts) {
  const { stage, env, settings } = appSettings(lookup, process.env, district.id);
  new DistrictStack(app, `shudi-${stage}-${district.id}`, {
    district,
    stage,
    ...(env ? { env } : {}),
    terminationProtection: stage === 'prod',
    description: `shudi ${stage}: ${district.name.en} (${district.id}) case routing`,
    settings,
  });
}

// cdk-nag: the AwsSolutions pack validates every stack at synth; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
