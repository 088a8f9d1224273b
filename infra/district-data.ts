// The district's data: its customer-managed key and its one table (functions/store/table-design.ts,
// the design the local runtime uses too). Both are retained when the stack is deleted.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE, tableNameFor } from '../functions/store/table-design';
import { FORMER_LOGICAL_IDS, keepLogicalId } from './logical-ids';

export interface DistrictDataProps {
  districtId: string;
  stage: string;
}

export class DistrictData extends Construct {
  /** Encrypts the table and the reminder topic; never the alarm topic (Monitoring has its own key). */
  readonly key: Key;
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: DistrictDataProps) {
    super(scope, id);
    this.key = new Key(this, 'DataKey', {
      description: `shudi ${props.districtId}: table and messages`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    keepLogicalId(this.key, FORMER_LOGICAL_IDS.dataKey);

    this.table = new TableV2(this, 'Table', {
      tableName: tableNameFor(props.districtId, props.stage),
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(this.key),
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
    keepLogicalId(this.table, FORMER_LOGICAL_IDS.table);
  }
}
