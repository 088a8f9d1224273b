// Lambda entry point of the workflow Task function `listDueTimers` (functions/workflows/catalog.ts): the due index only.
import { systemClock } from '../../domain/clock';
import { CaseStore } from '../../store/case-store';
import { listDueTimersHandler } from '../tasks/list-due-timers';
import { taskLambda } from './task-lambda';
import { lambdaTable } from './table';

export const handler = taskLambda('listDueTimers', () => {
  const t = lambdaTable();
  return listDueTimersHandler({ cases: new CaseStore(t.doc, t.tableName, t.districtId), clock: systemClock });
});
