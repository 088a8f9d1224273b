// What every handler of one district needs, built once per process (per Lambda cold start).
import { WorkCalendar } from '../domain/calendar';
import type { DeployedDistrictConfig } from '../domain/district-config';
import { resolveRules, type RoutingRules } from '../domain/rules';
import { Territory } from '../domain/territory';
import type { DeadlineFn } from '../domain/case-machines';

export interface DistrictContext {
  /** Without the staff roster: staff are read from the table (a full DistrictConfig serves too). */
  config: DeployedDistrictConfig;
  territory: Territory;
  rules: RoutingRules;
  calendar: WorkCalendar;
  deadline: DeadlineFn;
  holiday: (date: string) => boolean;
}

export function districtContext(config: DeployedDistrictConfig): DistrictContext {
  const calendar = new WorkCalendar({ officialYears: config.calendar.officialYears });
  return {
    config,
    territory: new Territory(config),
    rules: resolveRules(config.rules),
    calendar,
    deadline: (rule, start) => calendar.deadline(rule, start),
    holiday: (date) => calendar.isOfficialHoliday(date),
  };
}
