// The district config of this Lambda: bundled into the code (never an environment variable, which
// the console shows), validated once per cold start with the same schema the synth used.
import bundled from 'shudi-district-config';
import type { DistrictConfig } from '../../domain/district-config';
import { parseDistrictConfig } from '../../seed/load-district';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/**
 * The bundled config, checked against DISTRICT_ID: a bundle built for another district fails
 * here, at cold start, instead of routing cases with the wrong territory.
 */
export function bundledDistrictConfig(districtId = requiredEnv('DISTRICT_ID')): DistrictConfig {
  return parseDistrictConfig(bundled, `${districtId}.json`);
}
