// The API Lambda: API Gateway (HTTP API, Cognito JWT authorizer) → this handler. Everything is
// built once per cold start: the district config bundled into the code (infra/bundling.ts aliases
// `shudi-district-config` to the stack's seeds/districts/<id>.json), TABLE_NAME and DISTRICT_ID
// from the environment, Powertools from its POWERTOOLS_* variables.
import { CaseService } from '../app/case-service';
import { districtContext } from '../app/district-context';
import { systemClock } from '../domain/clock';
import { bundledDistrictConfig, requiredEnv } from '../handlers/lambda/district';
import { observability } from '../handlers/lambda/observability';
import { AuditStore } from '../store/audit-store';
import { CaseStore } from '../store/case-store';
import { createDynamoClient, documentClient } from '../store/client';
import { RegisterStore } from '../store/register-store';
import { createApi } from './app';
import { StaffAdmin } from './staff-admin';

const tableName = requiredEnv('TABLE_NAME');
const district = districtContext(bundledDistrictConfig());
const { logger, tracer } = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-api', districtId: district.config.id });
const doc = documentClient(tracer.captureAWSv3Client(createDynamoClient()));
const cases = new CaseStore(doc, tableName, district.config.id);
const register = new RegisterStore(doc, tableName, district.config.id);
const clock = systemClock;

export const api = createApi({
  cases,
  register,
  audit: new AuditStore(doc, tableName),
  service: new CaseService({ cases, register, district, clock }),
  district,
  clock,
  logger,
  staffAdmin: new StaffAdmin(doc, tableName, district.config.id),
});

export const handler = api.handler;
