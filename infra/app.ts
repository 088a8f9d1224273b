// One stack per district config in seeds/districts/: adding a district is adding a JSON file.
import { App } from 'aws-cdk-lib';
import { loadAllDistricts } from '../functions/seed/load-district';
import { DistrictStack } from './district-stack';

const app = new App();
const only = app.node.tryGetContext('district') as string | undefined;
const stage = (app.node.tryGetContext('stage') as string | undefined) ?? process.env.SHUDI_STAGE ?? 'dev';
const env = {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
};

const districts = loadAllDistricts().filter((d) => !only || d.id === only);
if (only && districts.length === 0) throw new Error(`no district config seeds/districts/${only}.json`);
for (const district of districts) {
  new DistrictStack(app, `shudi-${stage}-${district.id}`, { district, stage, env });
}
