/**
 * Test helpers for the shared DynamoDB Local started by ./global-setup.
 * Every test file should create its own table(s) with uniqueTableName(), so
 * files running in parallel never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

/** DynamoDB Local ignores credentials; region is irrelevant with -sharedDb. */
export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Endpoint of the DynamoDB Local started by the globalSetup. */
export function dynamoEndpoint(): string {
  const endpoint = inject('dynamoEndpoint');
  if (typeof endpoint !== 'string' || endpoint === '') {
    throw new Error(
      "No 'dynamoEndpoint' provided: is test/support/global-setup.ts listed in vitest.config.ts globalSetup?",
    );
  }
  return endpoint;
}

export function testDynamoClient(endpoint: string = dynamoEndpoint()): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 3,
  });
}

export function testDocumentClient(endpoint: string = dynamoEndpoint()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(testDynamoClient(endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * `${prefix}-${random}`; valid DynamoDB table name (3–255 chars of
 * [A-Za-z0-9_.-]). Invalid characters in the prefix become '-'.
 */
export function uniqueTableName(prefix: string): string {
  const clean = prefix.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 200) || 'test';
  return `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
