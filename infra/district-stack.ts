// A district's stack. The table comes from the one table design the local runtime uses too.
import { RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { DistrictConfig } from '../functions/domain/district-config';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE, tableNameFor } from '../functions/store/table-design';

export interface DistrictStackProps extends StackProps {
  district: DistrictConfig;
  stage: string;
}

export class DistrictStack extends Stack {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: DistrictStackProps) {
    super(scope, id, props);
    Tags.of(this).add('shudi:district', props.district.id);
    Tags.of(this).add('shudi:stage', props.stage);

    const key = new Key(this, 'DataKey', {
      description: `shudi ${props.district.id}: table and messages`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new TableV2(this, 'Table', {
      tableName: tableNameFor(props.district.id, props.stage),
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: Object.values(INDEXES).map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.pk, type: AttributeType.STRING },
        sortKey: { name: i.sk, type: AttributeType.STRING },
      })),
    });
  }
}
