/**
 * vitest globalSetup: one in-memory DynamoDB Local for the whole test run.
 *
 * Tests get its endpoint with `inject('dynamoEndpoint')` (or simply use
 * `testDynamoClient()` from ./dynamodb). Set SHUDI_DYNAMODB_ENDPOINT to reuse
 * an already running DynamoDB Local instead of starting one.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../dev/local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.SHUDI_DYNAMODB_ENDPOINT;
  if (external !== undefined && external !== '') {
    project.provide('dynamoEndpoint', external);
    return async () => {};
  }
  const dynamo = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  console.log(`[global-setup] DynamoDB Local ${dynamo.endpoint} ready in ${dynamo.startupMs} ms (java pid ${dynamo.pid})`);
  return async () => {
    await dynamo.stop();
  };
}
