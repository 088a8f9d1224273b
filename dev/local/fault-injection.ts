// Fault injection for a DynamoDBClient: the failures DynamoDB really returns, injected by a seeded
// schedule into the requests the product makes, so tests can check that nothing is lost and nothing
// is applied twice. Local and test use only; never bundled into a Lambda.
//
//   const faults = new FaultInjector({ seed: 7, rates: { throttle: 0.08, conflictBefore: 0.05, conflictAfter: 0.05 } });
//   const client = faults.attach(createDynamoClient({ endpoint }));        // or faultyDynamoClient(...)
//   const rt = await LocalRuntime.create({ endpoint, config, clock, client, wrapHandler: faults.wrapHandler });
//
// What it injects (and where in the SDK's middleware stack: inside the retry loop, so that every
// attempt the SDK makes is a new request the schedule decides on):
//
// | kind             | requests            | when                   | the caller sees                                               |
// |------------------|---------------------|------------------------|---------------------------------------------------------------|
// | `throttle`       | any                 | before sending         | ProvisionedThroughputExceededException or ThrottlingException  |
// |                  |                     |                        | (HTTP 400): the SDK's standard strategy retries it as THROTTLING |
// | `txnThrottle`    | TransactWriteItems  | before sending         | TransactionCanceledException, one reason ThrottlingError       |
// | `conflictBefore` | TransactWriteItems  | before sending         | TransactionCanceledException, one reason TransactionConflict   |
// |                  |                     |                        | (the SDK does not retry it); nothing was written               |
// | `conflictAfter`  | TransactWriteItems  | after a successful write | the same error, although the transaction WAS applied: a lost response |
// | `timeoutAfter`   | TransactWriteItems  | after a successful write | a socket timeout (TimeoutError, ETIMEDOUT), which the SDK retries |
// |                  |                     |                        | as TRANSIENT with the same request (and ClientRequestToken)    |
//
// The errors are built from the SDK's own modeled exception classes (so `instanceof`, `name`,
// `$fault` and the cancellation reasons are what a deserialized DynamoDB error carries), with a
// `$metadata` like a real response's (httpStatusCode, requestId, attempts). DynamoDB models none of
// these as `@retryable`, so, as on the wire, they carry no `$retryable`: the SDK classifies them by
// name and status code, exactly as it classifies the real ones.
//
// Decisions are deterministic for a seed: each request is keyed by its command and input (minus the
// random ClientRequestToken) and how many times that same request was seen before, so a rerun with
// the same seed injects the same faults regardless of how concurrent requests interleave.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { createDynamoClient } from '../../functions/store/client';

export const faultKinds = ['throttle', 'txnThrottle', 'conflictBefore', 'conflictAfter', 'timeoutAfter'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** A request as the injector sees it. `seen` counts earlier identical requests (SDK or workflow retries). */
export interface FaultRequest {
  /** e.g. TransactWriteItems, Query, GetItem */
  operation: string;
  input: Record<string, unknown>;
  /** 1-based: the n-th request the injector has seen. */
  n: number;
  seen: number;
  /** A uniform draw in [0, 1) derived from the seed and the request: use it to stay deterministic. */
  draw: number;
}

export interface FaultInjectorOptions {
  /** Seed of the schedule (default 1). */
  seed?: number;
  /**
   * Probability of each kind per eligible request. One draw per request picks at most one kind, so
   * the rates add up (keep the sum ≤ 1): `throttle` applies to every request, the others to
   * TransactWriteItems only.
   */
  rates?: Partial<Record<FaultKind, number>>;
  /** An explicit schedule instead of (or before) the rates: return a kind to inject it. */
  schedule?: (req: FaultRequest) => FaultKind | undefined;
  /** Only requests made while a Task handler runs (see wrapHandler), not the test's own reads. Default true. */
  onlyInHandlers?: boolean;
  /** Operations never faulted (default: table management, which only setup does). */
  exempt?: readonly string[];
}

export interface FaultCounts {
  /** Requests the injector saw (eligible or not). */
  requests: number;
  /** Requests that were eligible for a fault (in a handler, not exempt). */
  eligible: number;
  transactWrites: number;
  injected: Record<FaultKind, number>;
  /** Transactions that were applied although the caller saw an error (conflictAfter + timeoutAfter). */
  appliedButFailed: number;
  /** Injected faults per operation. */
  byOperation: Record<string, number>;
}

const DEFAULT_EXEMPT = ['CreateTable', 'DescribeTable', 'DeleteTable', 'ListTables', 'UpdateTable'];

/** The operation of a command context: `TransactWriteItemsCommand` → `TransactWriteItems`. */
function operationOf(context: { commandName?: string }): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Set) return `set:${stableJson([...value].map(stableJson).sort())}`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

function metadata(attempt = 1) {
  return { httpStatusCode: 400, requestId: randomUUID().replace(/-/g, '').toUpperCase(), attempts: attempt, totalRetryDelay: 0 };
}

/** A throttle as DynamoDB returns it: HTTP 400 with one of its two throttling error codes. */
export function throttleError(variant: 'provisioned' | 'throttling' = 'provisioned'): Error {
  if (variant === 'throttling') {
    return new ThrottlingException({
      message: 'Throughput exceeds the current throughput limit for your account.',
      $metadata: metadata(),
      throttlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded' }],
    } as ConstructorParameters<typeof ThrottlingException>[0]);
  }
  return new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    $metadata: metadata(),
  });
}

/** A cancelled transaction: `code` on one of its items, `None` on the others (as DynamoDB reports it). */
export function cancelledTransaction(itemCount: number, code: 'TransactionConflict' | 'ThrottlingError', at = 0): TransactionCanceledException {
  const reasons: CancellationReason[] = Array.from({ length: Math.max(itemCount, 1) }, (_, i) =>
    i === at % Math.max(itemCount, 1)
      ? { Code: code, Message: code === 'TransactionConflict' ? 'Transaction is ongoing for the item' : 'Throughput exceeds the current capacity for one or more items' }
      : { Code: 'None' },
  );
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
  return new TransactionCanceledException({ message, Message: message, CancellationReasons: reasons, $metadata: metadata() });
}

/** A response that never arrived: the socket timed out after the request was sent. */
export function socketTimeout(): Error {
  return Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: {} });
}

export class FaultInjector {
  readonly counts: FaultCounts = {
    requests: 0,
    eligible: 0,
    transactWrites: 0,
    injected: Object.fromEntries(faultKinds.map((k) => [k, 0])) as Record<FaultKind, number>,
    appliedButFailed: 0,
    byOperation: {},
  };
  /** Faults are injected only while enabled (on by default). */
  enabled = true;
  private readonly seed: number;
  private readonly rates: Partial<Record<FaultKind, number>>;
  private readonly seen = new Map<string, number>();
  private readonly inHandler = new AsyncLocalStorage<string>();
  private readonly onlyInHandlers: boolean;
  private readonly exempt: Set<string>;

  constructor(private readonly options: FaultInjectorOptions = {}) {
    this.seed = options.seed ?? 1;
    this.rates = options.rates ?? {};
    this.onlyInHandlers = options.onlyInHandlers ?? true;
    this.exempt = new Set(options.exempt ?? DEFAULT_EXEMPT);
    const sum = Object.values(this.rates).reduce((a, b) => a + (b ?? 0), 0);
    if (sum > 1) throw new RangeError(`fault rates add up to ${sum}, more than 1`);
  }

  /** Total faults injected. */
  get total(): number {
    return Object.values(this.counts.injected).reduce((a, b) => a + b, 0);
  }

  /** For LocalRuntime's `wrapHandler`: requests made while a Task handler runs are eligible for faults. */
  readonly wrapHandler = <H extends (event: unknown) => Promise<unknown>>(functionKey: string, handler: H): H =>
    ((event: unknown) => this.inHandler.run(functionKey, () => handler(event))) as H;

  /** Runs `fn` as if inside a handler (its requests are eligible for faults). */
  within<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return this.inHandler.run(label, fn);
  }

  /** Adds the injecting middleware to a client (inside its retry loop) and returns the client. */
  attach<C extends DynamoDBClient>(client: C): C {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = operationOf(context as { commandName?: string });
        const input = ((args as unknown as { input?: Record<string, unknown> }).input ?? {}) as Record<string, unknown>;
        const kind = this.decide(operation, input);
        if (kind === undefined) return next(args);
        const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
        this.counts.injected[kind]++;
        this.counts.byOperation[operation] = (this.counts.byOperation[operation] ?? 0) + 1;
        switch (kind) {
          case 'throttle':
            throw throttleError(this.counts.injected.throttle % 3 === 0 ? 'throttling' : 'provisioned');
          case 'txnThrottle':
            throw cancelledTransaction(items, 'ThrottlingError', this.counts.injected.txnThrottle);
          case 'conflictBefore':
            throw cancelledTransaction(items, 'TransactionConflict', this.counts.injected.conflictBefore);
          case 'conflictAfter': {
            await next(args); // the write happens …
            this.counts.appliedButFailed++;
            throw cancelledTransaction(items, 'TransactionConflict', this.counts.injected.conflictAfter); // … its response is lost
          }
          case 'timeoutAfter': {
            await next(args);
            this.counts.appliedButFailed++;
            throw socketTimeout();
          }
        }
      },
      // After the retry middleware (finalizeRequest, high), around the deserializer: each attempt passes here.
      { step: 'deserialize', priority: 'high', name: 'shudiFaultInjection', tags: ['FAULT_INJECTION'] },
    );
    return client;
  }

  /** One line for a test log. */
  summary(): string {
    const kinds = faultKinds.filter((k) => this.counts.injected[k] > 0).map((k) => `${k} ${this.counts.injected[k]}`);
    const pct = this.counts.eligible ? ((100 * this.total) / this.counts.eligible).toFixed(1) : '0';
    return `${this.total} faults in ${this.counts.eligible} eligible requests (${pct}%; ${this.counts.requests} requests in all, ${this.counts.transactWrites} TransactWriteItems): ${kinds.join(', ') || 'none'}; ${this.counts.appliedButFailed} writes applied whose caller saw an error`;
  }

  private decide(operation: string, input: Record<string, unknown>): FaultKind | undefined {
    this.counts.requests++;
    if (operation === 'TransactWriteItems') this.counts.transactWrites++;
    if (!this.enabled || this.exempt.has(operation)) return undefined;
    if (this.onlyInHandlers && this.inHandler.getStore() === undefined) return undefined;
    this.counts.eligible++;
    const { ClientRequestToken: _token, ...rest } = input;
    const key = `${operation}|${stableJson(rest)}`;
    const seen = this.seen.get(key) ?? 0;
    this.seen.set(key, seen + 1);
    const digest = createHash('sha256').update(`${this.seed}|${seen}|${key}`).digest();
    const draw = digest.readUInt32BE(0) / 2 ** 32;
    const scheduled = this.options.schedule?.({ operation, input, n: this.counts.requests, seen, draw });
    if (scheduled !== undefined) return this.applicable(scheduled, operation) ? scheduled : undefined;
    let acc = 0;
    for (const kind of faultKinds) {
      const rate = this.rates[kind] ?? 0;
      if (rate <= 0 || !this.applicable(kind, operation)) continue;
      acc += rate;
      if (draw < acc) return kind;
    }
    return undefined;
  }

  private applicable(kind: FaultKind, operation: string): boolean {
    return kind === 'throttle' || operation === 'TransactWriteItems';
  }
}

/**
 * The product's client (createDynamoClient: maxAttempts 5, standard retry mode) with faults injected.
 * `fastBackoff` keeps the SDK's standard strategy (its classification, attempt limit and retry
 * quota) but waits milliseconds instead of its 1 s throttling backoff, so a test can inject
 * hundreds of throttles; leave it off to see the real delays.
 */
export function faultyDynamoClient(endpoint: string, injector: FaultInjector, opts: { fastBackoff?: boolean } = {}): DynamoDBClient {
  const client = createDynamoClient({ endpoint });
  if (opts.fastBackoff) {
    // One strategy for the client, as the SDK keeps one: its retry quota is shared by all requests.
    const strategy = new ConfiguredRetryStrategy(async () => (await client.config.maxAttempts()) ?? 5, (attempt: number) => Math.min(2 ** attempt, 32));
    (client.config as { retryStrategy: () => Promise<unknown> }).retryStrategy = async () => strategy;
  }
  return injector.attach(client);
}
