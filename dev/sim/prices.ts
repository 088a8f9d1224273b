// The price list of the cost model (seeds/simulation/prices.json): schema and loader.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const DEFAULT_PRICES_FILE = fileURLToPath(new URL('../../seeds/simulation/prices.json', import.meta.url));

const usd = z.strictObject({ usd: z.number().nonnegative(), source: z.string().min(1) });

export const pricesSchema = z.strictObject({
  about: z.string(),
  recordedOn: z.iso.date(),
  region: z.string(),
  currency: z.literal('USD'),
  cnyPerUsd: z.number().positive(),
  prices: z.strictObject({
    stepFunctionsStandardPer1kTransitions: usd,
    lambdaRequestsPerMillion: usd,
    lambdaArmPerGbSecond: usd,
    dynamodbWriteRequestUnitsPerMillion: usd,
    dynamodbReadRequestUnitsPerMillion: usd,
    dynamodbStoragePerGbMonth: usd,
    snsPublishesPerMillion: usd,
    smsPerMessageCny: z.strictObject({ cny: z.number().nonnegative(), source: z.string().min(1) }),
    emailPer1k: usd,
    schedulerInvocationsPerMillion: usd,
    cloudwatchLogsIngestionPerGb: usd,
  }),
  assumptions: z.strictObject({
    lambdaMemoryMb: z.record(z.string(), z.union([z.number().int().positive(), z.string()])),
    lambdaDuration: z.strictObject({ baseMs: z.number().nonnegative(), perRequestMs: z.number().nonnegative(), perTransactionMs: z.number().nonnegative(), why: z.string() }),
    logBytesPerInvocation: z.number().nonnegative(),
    readRequestUnitsPerEmptyQuery: z.number().nonnegative(),
    why: z.string(),
  }),
  schedules: z.strictObject({ sweeperEveryMinutes: z.number().positive(), publisherEveryMinutes: z.number().positive(), source: z.string() }),
});

export type Prices = z.infer<typeof pricesSchema>;

export function loadPrices(file = DEFAULT_PRICES_FILE): Prices {
  const r = pricesSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new Error(r.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`).join('\n'));
  return r.data;
}

/** Memory of a function in GB (its own entry, else the default). */
export function memoryGb(prices: Prices, functionKey: string): number {
  const m = prices.assumptions.lambdaMemoryMb;
  const v = typeof m[functionKey] === 'number' ? m[functionKey] : m.default;
  return (typeof v === 'number' ? v : 512) / 1024;
}
