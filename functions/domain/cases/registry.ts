// The case types, one module each. Adding a case type is adding a module here (and its name to case.ts).
import * as z from 'zod';
import type { CaseType } from '../case';
import { certificateCheck, certificateCheckInput } from './certificate-check';
import { application, applicationInput } from './application';
import { changeReport, changeReportInput } from './change-report';
import { followUp, followUpInput } from './follow-up';
import { handover, handoverInput } from './handover';
import { healthCheck, healthCheckInput } from './health-check';
import type { CaseTypeModule, MachineDef } from './machine';
import { unitNotice, unitNoticeInput } from './unit-notice';

export const openCaseInput = z.discriminatedUnion('type', [handoverInput, followUpInput, healthCheckInput, certificateCheckInput, unitNoticeInput, changeReportInput, applicationInput]);
export type OpenCaseInput = z.input<typeof openCaseInput>;
export type ParsedOpen = z.output<typeof openCaseInput>;
type InputOf<T extends CaseType> = Extract<ParsedOpen, { type: T }>;

export const caseTypeModules: { readonly [T in CaseType]: CaseTypeModule<InputOf<T>> } = {
  handover,
  follow_up: followUp,
  health_check: healthCheck,
  certificate_check: certificateCheck,
  unit_notice: unitNotice,
  change_report: changeReport,
  application,
};

export const machines: Readonly<Record<CaseType, MachineDef>> = Object.fromEntries(
  Object.entries(caseTypeModules).map(([type, m]) => [type, m.machine]),
) as Record<CaseType, MachineDef>;
