// How a district's reminders reach SMS providers and its mail server (docs/reminders.md): when the district config's
// `delivery` sends a channel directly (Aliyun or Tencent Cloud SMS, SMTP), the deliverMessage function does it for
// the publisher, which invokes it synchronously and writes its answer to the outbox item. That function alone holds
// the provider SDKs and may read the delivery secrets, exactly the ones the config names; it writes nothing but the
// dedupe keys on the district table. With both channels on SNS this construct adds nothing.
//
// The aws-cn partition has no SNS SMS and no SES: a district deploying there must send both channels directly, or
// synth stops with the config file, the JSON path and the reason.
import { join } from 'node:path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { deliverySecretNames } from '../functions/domain/delivery-config';
import type { DistrictConfig } from '../functions/domain/district-config';
import type { TableAccess } from './access';
import { ShudiFunction } from './lambda-function';
import { paths } from './paths';
import { partitionOf } from './target';

/** deliverMessage claims and finishes dedupe keys (conditional PutItem, UpdateItem); it reads and deletes nothing. */
export const deliverMessageAccess: TableAccess = { table: ['PutItem', 'UpdateItem'], indexes: [] };

export interface ReminderDeliveryProps {
  district: DistrictConfig;
  stage: string;
  table: ITableV2;
  key: IKey;
  /** The publisher (publishDue): it may invoke deliverMessage, and is told its name. */
  publisher: ShudiFunction;
}


export class ReminderDelivery extends Construct {
  /** The direct sender, when a channel is sent directly. */
  readonly deliverFunction?: ShudiFunction;

  constructor(scope: Construct, id: string, props: ReminderDeliveryProps) {
    super(scope, id);
    const { district, stage } = props;
    const { delivery } = district;
    const region = Stack.of(this).region;
    // A region the stack knows (not a token) in the aws-cn partition: both channels must be sent directly.
    if (!Token.isUnresolved(region) && partitionOf(region) === 'aws-cn') {
      const file = `seeds/districts/${district.id}.json`;
      if (delivery.sms.provider === 'sns')
        throw new Error(`${file}: delivery.sms: SNS sends no SMS in ${region} (aws-cn); set "provider" to "aliyun" or "tencent" with the approved sign name and templates (docs/reminders.md)`);
      if (delivery.email.provider === 'sns')
        throw new Error(`${file}: delivery.email: ${region} (aws-cn) has no SES or SNS e-mail for staff; set "provider" to "smtp" with the district's mail server (docs/reminders.md)`);
    }
    const secrets = deliverySecretNames(delivery);
    if (!secrets.sms && !secrets.email) return;

    const fn = new ShudiFunction(this, 'DeliverMessageFn', {
      districtId: district.id,
      stage,
      entry: join(paths.lambdaEntries, 'deliverMessage.ts'),
      serviceName: 'shudi-deliverMessage',
      description: `shudi ${stage} ${district.id}: send an SMS or e-mail through the district's provider`,
      table: props.table,
      key: props.key,
      access: deliverMessageAccess,
      // The publisher waits for it: a provider call (≤ 10 s) and the SMTP exchange (≤ 30 s).
      timeout: Duration.seconds(40),
      memorySize: 512,
      retryAttempts: 0,
    });
    // Exactly the named secrets (a name matches its ARN with the six random characters Secrets Manager appends).
    [secrets.sms, secrets.email].forEach((name, i) => {
      if (!name) return;
      const secret = name.startsWith('arn:') ? Secret.fromSecretCompleteArn(this, `Secret${i}`, name) : Secret.fromSecretNameV2(this, `Secret${i}`, name);
      secret.grantRead(fn.role);
    });
    props.publisher.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.fn.functionArn] }));
    props.publisher.fn.addEnvironment('SHUDI_DELIVER_FUNCTION', fn.fn.functionName);
    this.deliverFunction = fn;
  }
}
