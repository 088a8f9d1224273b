// One way to reach DynamoDB: AWS in the cloud, DynamoDB Local on a laptop; only the endpoint differs.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreClientOptions {
  /** e.g. http://127.0.0.1:8000 for DynamoDB Local; absent on AWS. */
  endpoint?: string;
  region?: string;
}

export function createDynamoClient(opts: StoreClientOptions = {}): DynamoDBClient {
  const config: DynamoDBClientConfig = { region: opts.region ?? process.env.AWS_REGION ?? 'cn-north-1', maxAttempts: 5 };
  if (opts.endpoint) {
    config.endpoint = opts.endpoint;
    // DynamoDB Local accepts any credentials; never pick up a developer's real ones for it.
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  return new DynamoDBClient(config);
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
