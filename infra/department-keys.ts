// The signing keys of the department systems that post events (POST /events, docs/exchange.md): one Secrets Manager
// secret per department of the district config (64 random letters and digits, generated at deploy: no value in the
// template; encrypted with the district's KMS key; kept when the stack is deleted), named
// shudi/<stage>/<district>/department/<id> for the operator who hands the key to that department. The API function
// may read exactly these (and is told which is whose in SHUDI_DEPARTMENT_SECRETS); it reads them at cold start
// (functions/api/lambda.ts). Secrets Manager is in both China regions, so the stack deploys there unchanged.
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEPARTMENT_SECRETS_ENV } from '../functions/adapters/secrets';
import type { DepartmentConfig } from '../functions/domain/department-events';
import type { ShudiFunction } from './lambda-function';
import { suppress } from './nag';

/** The name of a department's signing-key secret. */
export const departmentSecretName = (stage: string, districtId: string, departmentId: string) => `shudi/${stage}/${districtId}/department/${departmentId}`;

export class DepartmentKeys extends Construct {
  /** The secret of each department, by its id. */
  readonly secrets: Record<string, Secret> = {};

  constructor(scope: Construct, id: string, props: { key: IKey; districtId: string; stage: string; departments: readonly DepartmentConfig[] }) {
    super(scope, id);
    for (const d of props.departments) {
      const secret = new Secret(this, `Secret-${d.id}`, {
        secretName: departmentSecretName(props.stage, props.districtId, d.id),
        description: `shudi ${props.stage} ${props.districtId}: the key ${d.name.en} signs its event batches with (POST /events)`,
        encryptionKey: props.key,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      suppress(secret, [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'A department key is shared with that department system, which must sign with the new value the moment it changes: rotation is agreed with the department and done by hand (a new secret value, then a new cold start), so no rotation Lambda is needed.',
        },
      ]);
      this.secrets[d.id] = secret;
    }
  }

  /** Lets the function read exactly these secrets (and decrypt them through Secrets Manager) and names each in its environment. */
  grantTo(fn: ShudiFunction): void {
    const ids: Record<string, string> = {};
    for (const [departmentId, secret] of Object.entries(this.secrets)) {
      secret.grantRead(fn.role);
      ids[departmentId] = secret.secretArn;
    }
    if (Object.keys(ids).length > 0) fn.fn.addEnvironment(DEPARTMENT_SECRETS_ENV, Stack.of(this).toJsonString(ids));
  }
}
