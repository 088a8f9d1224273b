// What a workflow Lambda builds once per cold start: the district context from the bundled config,
// the DynamoDB client (traced), the stores and the case service on the system clock, and the
// Task handlers. Environment: TABLE_NAME, DISTRICT_ID (and AWS_REGION, set by Lambda).
import { CaseService } from '../../app/case-service';
import { districtContext } from '../../app/district-context';
import { systemClock } from '../../domain/clock';
import { CaseStore } from '../../store/case-store';
import { createDynamoClient, documentClient } from '../../store/client';
import { RegisterStore } from '../../store/register-store';
import type { FunctionKey } from '../../workflows/catalog';
import { createWorkflowHandlers, type HandlerDeps } from '../workflow-handlers';
import { bundledDistrictConfig, requiredEnv } from './district';
import { observability } from './observability';
import { wrapTaskHandler, type LambdaTaskHandler } from './task-handler';

export function lambdaHandlerDeps(tracer: { captureAWSv3Client<T>(client: T): T }): HandlerDeps {
  const district = districtContext(bundledDistrictConfig());
  const tableName = requiredEnv('TABLE_NAME');
  const doc = documentClient(tracer.captureAWSv3Client(createDynamoClient()));
  const cases = new CaseStore(doc, tableName, district.config.id);
  const register = new RegisterStore(doc, tableName, district.config.id);
  const clock = systemClock;
  const service = new CaseService({ cases, register, district, clock });
  return { service, cases, register, district, clock };
}

/** The Lambda handler of one workflow Task function; call it at module level (cold start). */
export function taskHandler(functionKey: FunctionKey): LambdaTaskHandler {
  const districtId = requiredEnv('DISTRICT_ID');
  const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `shudi-${functionKey}`, districtId });
  const handlers = createWorkflowHandlers(lambdaHandlerDeps(o.tracer));
  return wrapTaskHandler(functionKey, handlers[functionKey], o);
}
