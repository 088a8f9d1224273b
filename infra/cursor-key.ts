// The district's cursor key: a Secrets Manager secret the stack generates (64 random letters and
// digits, encrypted with the district's KMS key, kept when the stack is deleted). The API Lambda
// reads it on the first request that pages (functions/api/lambda.ts) and derives the AES-256-GCM
// key that seals its page cursors (functions/store/paging.ts). Secrets Manager is in both China
// regions, so the stack deploys there unchanged.
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ShudiFunction } from './lambda-function';
import { suppress } from './nag';

export class CursorKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: { key: IKey; districtId: string; stage: string }) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: `shudi ${props.stage} ${props.districtId}: key material that seals the API's page cursors`,
      encryptionKey: props.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppress(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The cursor key protects page positions for the minutes a user pages: rotating it (a new secret value, docs/security.md) only makes outstanding cursors answer 400 and the client start again from the first page, so an operator rotates it by hand; no rotation Lambda is needed.',
      },
    ]);
  }

  /** Lets the function read the secret (and decrypt it through Secrets Manager) and names it in its environment. */
  grantTo(fn: ShudiFunction): void {
    this.secret.grantRead(fn.role);
    fn.fn.addEnvironment('SHUDI_CURSOR_SECRET_ID', this.secret.secretArn);
  }
}
