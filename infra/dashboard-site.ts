// The dashboard's static files: a private, encrypted bucket (no public access, TLS only) that only
// CloudFront reads, through origin access control. The files (functions/dashboard/dist, built by
// the dashboard's own build) are deployed with a config.js that tells the page where the API and
// the Cognito hosted UI are; when the directory does not exist at synth time, nothing is deployed
// and the stack carries a warning instead.
import { existsSync } from 'node:fs';
import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  GeoRestriction,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { suppress } from './nag';

export interface DashboardSiteProps {
  /** Countries allowed to load the dashboard (CloudFront geo restriction allowlist). */
  countries: string[];
  /** The built dashboard; deployed only if it exists. */
  distDir: string;
}

export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly distDir: string;
  deployment?: BucketDeployment;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    this.distDir = props.distDir;

    // Access logs of the site bucket and of CloudFront (CloudFront's standard logs need ACLs).
    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppress(this.logBucket, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket of the dashboard bucket and of CloudFront; logging it into itself would log its own log deliveries.' },
    ]);

    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'dashboard-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.distribution = new Distribution(this, 'Cdn', {
      comment: `shudi dashboard ${Stack.of(this).stackName}`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      geoRestriction: GeoRestriction.allowlist(...props.countries),
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    suppress(this.distribution, [
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static files only (the API is a separate origin with its own JWT authorizer and throttling); a WAF web ACL for CloudFront lives in us-east-1 and is left to an operator who needs it.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, which CloudFront serves with TLSv1 as the floor whatever MinimumProtocolVersion says; a custom domain with an ACM certificate (a later, account-specific step) is what lifts it, with minimumProtocolVersion TLSv1.2_2021.',
      },
    ]);
  }

  get deployed(): boolean {
    return this.deployment !== undefined;
  }

  /** Deploys the built files and config.js (window.SHUDI_CONFIG), if the dashboard is built. */
  deploy(config: Record<string, unknown>): void {
    if (!existsSync(this.distDir)) return;
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [
        Source.asset(this.distDir, { exclude: ['**/*.map'] }),
        Source.data('config.js', `window.SHUDI_CONFIG = ${JSON.stringify(config)};\n`, { jsonEscape: true }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 512,
    });
    // The deployment's Lambda is CDK's own (a singleton at the stack's root), and so is its role:
    // each wildcard finding on it is acknowledged by name.
    const stack = Stack.of(this);
    const bucketLogicalId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)) as string;
    const qualifier = (stack.synthesizer as DefaultStackSynthesizer).bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const cdkOwned = "CDK's BucketDeployment handler, a CDK-owned Lambda whose code and role aws-cdk-lib generates";
    const copy = `${cdkOwned}: it reads every object of the dashboard asset from the bootstrap asset bucket, copies it into the dashboard bucket and prunes what is gone, so it needs these object-level wildcards`;
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      suppress(child, [
        { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: `${cdkOwned}: it writes its own logs with the basic execution role.` },
        ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => ({ id: `AwsSolutions-IAM5[Action::${a}]`, reason: `${copy} (${a}).` })),
        { id: `AwsSolutions-IAM5[Resource::arn:${partition}:s3:::cdk-${qualifier}-assets-${account}-${region}/*]`, reason: `${copy}: the objects of the bootstrap asset bucket.` },
        { id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`, reason: `${copy}: the objects of the dashboard bucket.` },
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: `${cdkOwned}: CloudFront CreateInvalidation/GetInvalidation after the copy, which CDK grants on "*".` },
        { id: 'AwsSolutions-L1', reason: `${cdkOwned}: aws-cdk-lib picks its runtime per region (in some regions not the newest Python) and updates it with its releases.` },
      ]);
    }
  }
}
