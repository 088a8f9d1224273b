// Lambda entry point of the daily retention job (EventBridge Scheduler, jobTimes.retention in functions/app/schedule.ts,
// Asia/Shanghai): erases the personal fields of subjects who left the register long enough ago and clears the
// "not due until" marks whose date has come (functions/handlers/retention-handler.ts, functions/app/retention.ts,
// functions/app/not-due-marks.ts). The report holds counts and dates only.
import { systemClock } from '../../domain/clock';
import { retentionYears } from '../../app/retention';
import { AuditStore } from '../../store/audit-store';
import { CaseStore } from '../../store/case-store';
import { createDynamoClient, documentClient } from '../../store/client';
import { RegisterStore } from '../../store/register-store';
import { createRetentionHandler } from '../retention-handler';
import { bundledDistrictConfig } from './district';
import { requiredEnv } from './env';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';

const config = bundledDistrictConfig();
const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-retention', districtId: config.id });
const tableName = requiredEnv('TABLE_NAME');
const doc = documentClient(createDynamoClient());
const run = createRetentionHandler({
  register: new RegisterStore(doc, tableName, config.id),
  cases: new CaseStore(doc, tableName, config.id),
  audit: new AuditStore(doc, tableName, { retentionYears: retentionYears(config) }),
  clock: systemClock,
  config,
});

export const handler = wrapJobHandler('retention', run, o, {
  metricsOf: (r) => ({ SubjectsErased: r.erased, SubjectsHeldByOpenCases: r.heldByOpenCases, NotDueMarksCleared: r.notDueMarks.cleared }),
});
