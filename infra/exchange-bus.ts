// The exchange with other districts on EventBridge (docs/exchange.md):
//   - the district's own event bus, whose resource policy admits exactly the configured partners: each partner's
//     account may PutEvents with that partner's event source only (shudi.district.<code>);
//   - an inbound rule: events from the partners' sources addressed to this district → the receiver Lambda (its
//     failed deliveries kept in the job dead-letter queue);
//   - one outbound rule per partner: this district's events addressed to that partner → the partner's bus (the role
//     EventBridge assumes may PutEvents on that one bus only);
//   - the dispatcher Lambda, every minute, may PutEvents on the district's own bus and nothing else.
import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Schedule, ScheduleExpression, type IScheduleTarget } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { eventSourceOf } from '../functions/adapters/exchange-bus';
import { publisherTick } from '../functions/app/schedule';
import type { ExchangeConfig } from '../functions/domain/exchange';
import type { TableAccess } from './access';
import { ShudiFunction } from './lambda-function';
import { paths } from './paths';

/**
 * What the exchange Lambdas may do to the district table (as infra/access.ts states it for the others):
 * - dispatch: Query GSI6 (the due messages), PutItem (each claim and mark is a conditional put of the message);
 * - receive: GetItem (dedupe record, message, case, subject), Query on the case partition (its timers) and GSI1 (the
 *   staff its notices go to), PutItem/DeleteItem/UpdateItem (the one transaction of case, history, timers, outbox,
 *   receipt and ack; the ack's re-arm; the subject who left).
 */
export const exchangeAccess = {
  exchangeDispatch: { table: ['PutItem'], indexes: ['GSI6'] },
  exchangeReceive: { table: ['GetItem', 'Query', 'PutItem', 'DeleteItem', 'UpdateItem'], indexes: ['GSI1'] },
} as const satisfies Record<string, TableAccess>;

export interface ExchangeBusProps {
  config: ExchangeConfig;
  districtId: string;
  stage: string;
  table: ITableV2;
  key: IKey;
  deadLetterQueue: IQueue;
  /** The stack's scheduler target for a job Lambda (its invoke-only role, dead-letter queue and retries). */
  scheduleTarget: (fn: ShudiFunction) => IScheduleTarget;
}

/** The ARN of a partner's bus, in the partition this stack deploys to (aws-cn in the China regions). */
export function partnerBusArn(partition: string, p: ExchangeConfig['partners'][number]): string {
  return `arn:${partition}:events:${p.region}:${p.account}:event-bus/${p.bus}`;
}

export class ExchangeBus extends Construct {
  readonly bus: EventBus;
  readonly dispatch: ShudiFunction;
  readonly receive: ShudiFunction;
  readonly inbound?: Rule;
  readonly outbound: Record<string, Rule> = {};

  constructor(scope: Construct, id: string, props: ExchangeBusProps) {
    super(scope, id);
    const { config, districtId, stage } = props;
    const partition = Stack.of(this).partition;
    this.bus = new EventBus(this, 'Bus', { eventBusName: `${config.bus}-${stage}`, description: `shudi ${stage} ${districtId} (${config.divisionCode}): exchange with partner districts` });
    for (const p of config.partners) {
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: `admit-${p.code}`,
          principals: [new AccountPrincipal(p.account)],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': eventSourceOf(p.code) } },
        }),
      );
    }

    const fn = (key: keyof typeof exchangeAccess, description: string, extra: Partial<ConstructorParameters<typeof ShudiFunction>[2]> = {}) =>
      new ShudiFunction(this, `${key.charAt(0).toUpperCase()}${key.slice(1)}Fn`, {
        districtId,
        stage,
        entry: join(paths.lambdaEntries, `${key}.ts`),
        serviceName: `shudi-${key}`,
        description: `shudi ${stage} ${districtId}: ${description}`,
        table: props.table,
        key: props.key,
        access: exchangeAccess[key],
        timeout: Duration.seconds(50),
        memorySize: 512,
        ...extra,
      });
    this.dispatch = fn('exchangeDispatch', 'exchange dispatcher', { retryAttempts: 0, maxEventAge: Duration.minutes(1), environment: { SHUDI_EXCHANGE_BUS: this.bus.eventBusName } });
    this.dispatch.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));
    this.receive = fn('exchangeReceive', 'exchange receiver', { timeout: Duration.seconds(30) });
    new Schedule(this, 'DispatchSchedule', {
      description: `shudi ${stage} ${districtId}: send the due exchange messages`,
      schedule: ScheduleExpression.expression(publisherTick.rate),
      target: props.scheduleTarget(this.dispatch),
    });

    if (config.partners.length > 0) {
      this.inbound = new Rule(this, 'InboundRule', {
        eventBus: this.bus,
        description: 'messages from partner districts addressed to this district',
        eventPattern: { source: config.partners.map((p) => eventSourceOf(p.code)), detail: { to: [config.divisionCode] } },
        targets: [new LambdaFunction(this.receive.fn, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
      });
    }
    for (const p of config.partners) {
      const partnerBus: IEventBus = EventBus.fromEventBusArn(this, `Partner${p.code}`, partnerBusArn(partition, p));
      this.outbound[p.code] = new Rule(this, `To${p.code}Rule`, {
        eventBus: this.bus,
        description: `messages of this district addressed to ${p.code} (${p.name.en})`,
        eventPattern: { source: [eventSourceOf(config.divisionCode)], detail: { to: [p.code] } },
        targets: [new EventBusTarget(partnerBus, { deadLetterQueue: props.deadLetterQueue })],
      });
    }
  }
}
