// The schedules: EventBridge Scheduler starts the job workflows and invokes the job Lambdas; a start or
// an invocation that still fails after its retries goes to the scheduler's dead-letter queue (alarmed).
// These are the stack's only asynchronous starts of workflows: Step Functions and API Gateway invoke the
// Lambdas synchronously (a failure goes back to the ASL's Retry/Catch or to the caller).
import { Duration, TimeZone } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, StepFunctionsStartExecution, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { jobTimes, publisherTick } from '../functions/app/schedule';
import type { WorkflowName } from '../functions/workflows/catalog';
import type { ShudiFunction } from './lambda-function';
import { deadLetterQueue, type JobFunctions } from './reminders';

/**
 * EventBridge Scheduler invoking a Lambda, allowed to invoke exactly the unqualified function ARN
 * (the schedule targets it; LambdaInvoke would also grant every version and alias, `<arn>:*`).
 */
class InvokeFunction extends LambdaInvoke {
  constructor(
    private readonly invoked: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(invoked, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.invoked.functionArn] }));
  }
}

export type ScheduleName = 'sweeper' | 'healthChecks' | 'changeReports' | 'unitNotices' | 'publishDue' | 'dailyDigest' | 'retention' | 'syncSubscriptions';

export interface SchedulesProps {
  districtId: string;
  stage: string;
  stateMachines: Record<WorkflowName, StateMachine>;
  jobFunctions: JobFunctions;
}

export class Schedules extends Construct {
  readonly deadLetterQueue: Queue;
  readonly schedules: Record<ScheduleName, Schedule>;

  /** A schedule target that invokes exactly this function, its failures to the scheduler's dead-letter queue. */
  invokeTarget(fn: ShudiFunction, opts: { retryAttempts: number; maxEventAge: Duration }): InvokeFunction {
    return new InvokeFunction(fn.fn, { input: ScheduleTargetInput.fromObject({}), deadLetterQueue: this.deadLetterQueue, retryAttempts: opts.retryAttempts, maxEventAge: opts.maxEventAge });
  }

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const { districtId, stage, stateMachines: machines, jobFunctions: jobs } = props;
    const dlq = deadLetterQueue(this, 'SchedulerDeadLetterQueue', 'the EventBridge Scheduler targets');
    this.deadLetterQueue = dlq;
    const start = (machine: StateMachine, input: Record<string, unknown>, maxEventAge: Duration) =>
      new StepFunctionsStartExecution(machine, { input: ScheduleTargetInput.fromObject(input), deadLetterQueue: dlq, retryAttempts: 3, maxEventAge });
    const invoke = (fn: ShudiFunction, opts: { retryAttempts: number; maxEventAge: Duration }) => this.invokeTarget(fn, opts);
    const schedule = (sid: string, description: string, expression: ScheduleExpression, target: StepFunctionsStartExecution | InvokeFunction) =>
      new Schedule(this, sid, { description: `shudi ${stage} ${districtId}: ${description}`, schedule: expression, target });
    const shanghai = TimeZone.ASIA_SHANGHAI;

    this.schedules = {
      // Every 15 minutes; a sweep that cannot start within that is replaced by the next one.
      sweeper: schedule('SweeperSchedule', 'fire due deadline timers', ScheduleExpression.rate(Duration.minutes(15)), start(machines.sweeper, {}, Duration.minutes(15))),
      // The period is the one of today in Asia/Shanghai (PlanHealthChecks' default): the scheduled
      // time attribute is a UTC instant, and 00:30 on the 1st is still the previous day in UTC.
      healthChecks: schedule(
        'HealthChecksSchedule',
        'open the health checks of a new period',
        ScheduleExpression.expression(jobTimes.health_checks.cron, shanghai),
        start(machines.healthChecks, {}, Duration.hours(6)),
      ),
      // The period (this month; the half-year just ended) is PlanObligations' default for today.
      changeReports: schedule(
        'ChangeReportsSchedule',
        "open this month's change reports",
        ScheduleExpression.expression(jobTimes.change_report.cron, shanghai),
        start(machines.recurringObligations, { kind: 'change_report' }, Duration.hours(6)),
      ),
      unitNotices: schedule(
        'UnitNoticesSchedule',
        'open the unit notices of the half-year just ended',
        ScheduleExpression.expression(jobTimes.unit_notice.cron, shanghai),
        start(machines.recurringObligations, { kind: 'unit_notice' }, Duration.hours(6)),
      ),
      // Every minute (publisherTick.rate): an urgent notice waits at most that long. At 43,200 runs a
      // month the schedule, the invocations and the due-index queries cost well under a dollar a month
      // per district, so a slower tick would save nothing worth a late overdue notice.
      publishDue: schedule(
        'PublishDueSchedule',
        'deliver due reminders',
        ScheduleExpression.expression(publisherTick.rate),
        invoke(jobs.publishDue, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      ),
      dailyDigest: schedule(
        'DailyDigestSchedule',
        "each staff member's daily digest",
        ScheduleExpression.expression(jobTimes.daily_digest.cron, shanghai),
        invoke(jobs.dailyDigest, { retryAttempts: 3, maxEventAge: Duration.hours(2) }),
      ),
      retention: schedule(
        'RetentionSchedule',
        'erase subjects who left the register long enough ago',
        ScheduleExpression.expression(jobTimes.retention.cron, shanghai),
        invoke(jobs.retention, { retryAttempts: 3, maxEventAge: Duration.hours(6) }),
      ),
      syncSubscriptions: schedule(
        'SyncSubscriptionsSchedule',
        'subscribe staff to the reminder topic as the register says',
        ScheduleExpression.rate(Duration.hours(1)),
        invoke(jobs.syncSubscriptions, { retryAttempts: 1, maxEventAge: Duration.hours(1) }),
      ),
    };
  }
}
