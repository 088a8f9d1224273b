// The district table as a Lambda reaches it: the DynamoDB document client and its name.
import { createDynamoClient, documentClient } from '../../store/client';
import { requiredEnv } from './env';

export function lambdaTable() {
  return { doc: documentClient(createDynamoClient()), tableName: requiredEnv('TABLE_NAME'), districtId: requiredEnv('DISTRICT_ID') };
}
