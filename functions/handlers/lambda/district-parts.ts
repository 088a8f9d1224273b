// The district as a Lambda builds it once per cold start: composeDistrict (the one composition) on the table
// client, the bundled district config and the system clock. Environment: TABLE_NAME, DISTRICT_ID.
import { composeDistrict, type DistrictParts } from '../../app/compose';
import { districtContext } from '../../app/district-context';
import { systemClock } from '../../domain/clock';
import { bundledDistrictConfig } from './district';
import { lambdaTable } from './table';

export function lambdaDistrictParts(): DistrictParts {
  const { doc, tableName } = lambdaTable();
  return composeDistrict({ doc, tableName, district: districtContext(bundledDistrictConfig()), clock: systemClock });
}
