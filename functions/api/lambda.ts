// The API Lambda: API Gateway (HTTP API, Cognito JWT authorizer) → this handler. Everything is
// built once per cold start: the district config bundled into the code (infra/bundling.ts aliases
// `shudi-district-config` to the stack's seeds/districts/<id>.json), TABLE_NAME and DISTRICT_ID
// from the environment, Powertools from its POWERTOOLS_* variables.
import { composeDistrict } from '../app/compose';
import { districtContext } from '../app/district-context';
import { systemClock } from '../domain/clock';
import { bundledDistrictConfig, requiredEnv } from '../handlers/lambda/district';
import { observability } from '../handlers/lambda/observability';
import { createDynamoClient, documentClient } from '../store/client';
import { createApi } from './app';

const tableName = requiredEnv('TABLE_NAME');
const district = districtContext(bundledDistrictConfig());
const { logger, tracer } = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-api', districtId: district.config.id });
const doc = documentClient(tracer.captureAWSv3Client(createDynamoClient()));
const parts = composeDistrict({ doc, tableName, district, clock: systemClock });

export const api = createApi({ ...parts, logger });

export const handler = api.handler;
