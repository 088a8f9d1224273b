// The district table as a Lambda reaches it: the DynamoDB document client, traced, and its name.
import { createDynamoClient, documentClient } from '../../store/client';
import { requiredEnv } from './district';
import type { Observability } from './observability';

export function lambdaTable(o: Pick<Observability, 'tracer'>) {
  return { doc: documentClient(o.tracer.captureAWSv3Client(createDynamoClient())), tableName: requiredEnv('TABLE_NAME'), districtId: requiredEnv('DISTRICT_ID') };
}
