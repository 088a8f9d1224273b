// The district config of this Lambda: bundled into the code (never an environment variable, which the console
// shows). The bundle holds the district without its staff roster, validated against the deployed schema at synth
// (infra/bundling.ts, writeDeployedDistrictConfig): staff are personal data and are read from the table. It is not
// validated again here: building the zod schema and parsing the config was the largest piece of start-up work in a
// profile of a cold start (docs/performance.md, Lambda bundles), for a file this stack wrote itself.
import bundled from 'shudi-district-config';
import type { DeployedDistrictConfig } from '../../domain/district-config';
import { requiredEnv } from './env';

/**
 * The bundled config, checked against DISTRICT_ID: a bundle built for another district fails here, at cold start,
 * instead of routing cases with the wrong territory.
 */
export function bundledDistrictConfig(districtId = requiredEnv('DISTRICT_ID')): DeployedDistrictConfig {
  const config = bundled as DeployedDistrictConfig;
  if (config?.id !== districtId) throw new Error(`the bundled district config is ${JSON.stringify(config?.id)}, not DISTRICT_ID ${JSON.stringify(districtId)}: a bundle built for another district`);
  return config;
}
