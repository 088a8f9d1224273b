// The one place a district's stores and services are built: the API Lambda, the workflow Lambdas, `npm start`, the
// tests and the benchmarks all compose a district here, so a new store or service is wired once. The field names
// are those of ApiDeps, so `createApi({ ...parts, logger })` is the whole API wiring.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../domain/clock';
import { AuditStore } from '../store/audit-store';
import { CaseStore } from '../store/case-store';
import { OutboxStore } from '../store/outbox-store';
import { RegisterStore } from '../store/register-store';
import { StaffAdmin } from '../store/staff-admin';
import { ExchangeStore } from '../store/exchange-store';
import { CaseService } from './case-service';
import { ExchangePlanner } from './exchange-planner';
import { ExchangeReceiver } from './exchange-receiver';
import { ExchangeService } from './exchange-service';
import { DepartmentEventService, type DepartmentKeySource } from './department-events';
import type { DistrictContext } from './district-context';

export interface DistrictParts {
  tableName: string;
  district: DistrictContext;
  clock: Clock;
  cases: CaseStore;
  register: RegisterStore;
  outbox: OutboxStore;
  audit: AuditStore;
  staffAdmin: StaffAdmin;
  service: CaseService;
  /** The exchange with other districts (docs/exchange.md); absent when the config names no division code. */
  exchange?: ExchangeParts;
}

export interface ExchangeParts {
  store: ExchangeStore;
  planner: ExchangePlanner;
  receiver: ExchangeReceiver;
  service: ExchangeService;
  /** Events from other departments (POST /events). */
  events: DepartmentEventService;
}

/** `departmentKeys`: the signing keys of department systems (the API Lambda: Secrets Manager); default the dev source. */
export function composeDistrict(o: { doc: DynamoDBDocumentClient; tableName: string; district: DistrictContext; clock: Clock; departmentKeys?: DepartmentKeySource }): DistrictParts {
  const districtId = o.district.config.id;
  const cases = new CaseStore(o.doc, o.tableName, districtId);
  const register = new RegisterStore(o.doc, o.tableName, districtId);
  const xstore = o.district.config.exchange ? new ExchangeStore(o.doc, o.tableName, districtId) : undefined;
  const planner = xstore ? new ExchangePlanner({ store: xstore, register, district: o.district }) : undefined;
  const service = new CaseService({ cases, register, district: o.district, clock: o.clock, ...(planner ? { extension: planner } : {}) });
  const xdeps = xstore && planner ? { store: xstore, cases, register, service, district: o.district, clock: o.clock, planner } : undefined;
  return {
    tableName: o.tableName,
    district: o.district,
    clock: o.clock,
    cases,
    register,
    outbox: new OutboxStore(o.doc, o.tableName, districtId),
    // Audit entries are kept as long as the files of people who left (rules.retention.years, at least 2).
    audit: new AuditStore(o.doc, o.tableName, { retentionYears: o.district.rules.retention.years }),
    staffAdmin: new StaffAdmin(o.doc, o.tableName, districtId),
    service,
    ...(xdeps ? { exchange: exchangeParts(xdeps, o.departmentKeys) } : {}),
  };
}

function exchangeParts(deps: ConstructorParameters<typeof ExchangeService>[0], keys?: DepartmentKeySource): ExchangeParts {
  const service = new ExchangeService(deps);
  return { store: deps.store, planner: deps.planner, receiver: new ExchangeReceiver(deps), service, events: new DepartmentEventService({ ...deps, exchange: service, ...(keys ? { keys } : {}) }) };
}
