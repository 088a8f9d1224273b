// The district config of this Lambda: bundled into the code (never an environment variable, which
// the console shows), validated once per cold start. The bundle holds the district without its staff
// roster (infra/bundling.ts): staff are personal data and are read from the table, never from here.
import bundled from 'shudi-district-config';
import type { DeployedDistrictConfig } from '../../domain/district-config';
import { parseDeployedDistrictConfig } from '../../seed/load-district';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/**
 * The bundled config, checked against DISTRICT_ID: a bundle built for another district fails
 * here, at cold start, instead of routing cases with the wrong territory.
 */
export function bundledDistrictConfig(districtId = requiredEnv('DISTRICT_ID')): DeployedDistrictConfig {
  return parseDeployedDistrictConfig(bundled, `${districtId}.json`);
}
