// The dashboard's static files: a private, encrypted bucket (no public access, TLS only) that only
// CloudFront reads, through origin access control in the global partition and an origin access
// identity in aws-cn (which has no origin access control). The files (functions/dashboard/dist, built
// by the dashboard's own build) are deployed with a config.js that tells the page where the API and
// the OpenID provider are; when the directory does not exist at synth time, nothing is deployed and
// the stack carries a warning instead.
//
// TLS 1.2 is the floor only on a custom domain (CloudFront serves its default *.cloudfront.net
// certificate with TLSv1 whatever the policy says): `dashboardDomain` with an ACM certificate in
// us-east-1 (global) or an IAM server certificate (China, where CloudFront has no ACM and serves no
// default domain at all, and the domain needs its ICP recordal). Every response carries a
// Content-Security-Policy: scripts and styles from the site only, API calls to this region's API
// Gateway and the OpenID provider only, no framing.
import { existsSync } from 'node:fs';
import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  CfnDistribution,
  Distribution,
  GeoRestriction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  SSLMethod,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { suppress } from './nag';
import type { DeployTarget } from './target';

export interface DashboardDomain {
  /** The dashboard's host name, e.g. shudi.chuanhui.gov.cn (ICP-recorded in China). */
  name: string;
  /** Global: an ACM certificate ARN in us-east-1. China: the ID of an IAM server certificate. */
  certificate: string;
}

export interface DashboardSiteProps {
  target: DeployTarget;
  /** Countries allowed to load the dashboard (CloudFront geo restriction allowlist). */
  countries: string[];
  /** The built dashboard; deployed only if it exists. */
  distDir: string;
  domain?: DashboardDomain;
  /** Origins the page may call besides its own (CSP connect-src): the OpenID provider's. */
  connectOrigins: string[];
}

/** The Content-Security-Policy of every dashboard response. */
export function contentSecurityPolicy(stack: Stack, connectOrigins: string[]): string {
  // The API is on this region's API Gateway endpoint (a wildcard: the API's id would make the site and
  // the API depend on each other, the API's CORS naming the site's domain).
  const suffix = Token.isUnresolved(stack.region) ? stack.urlSuffix : stack.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const api = `https://*.execute-api.${stack.region}.${suffix}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    `connect-src 'self' ${[api, ...connectOrigins].join(' ')}`,
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly distDir: string;
  readonly securityHeaders: ResponseHeadersPolicy;
  /** `https://<domain>/`: the custom domain, or the distribution's default domain (global only). */
  readonly url: string;
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

    const { features } = props.target;
    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'shudi dashboard: CSP, HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(Stack.of(this), props.connectOrigins), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const acm = props.domain && features.cloudFrontCertificate === 'acm' ? props.domain : undefined;
    this.distribution = new Distribution(this, 'Cdn', {
      comment: `shudi dashboard ${Stack.of(this).stackName}`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: features.cloudFrontOriginAccessControl ? S3BucketOrigin.withOriginAccessControl(this.bucket) : S3BucketOrigin.withOriginAccessIdentity(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
      },
      ...(acm
        ? {
            domainNames: [acm.name],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', acm.certificate),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
            sslSupportMethod: SSLMethod.SNI,
          }
        : {}),
      httpVersion: features.cloudFrontHttp3 ? HttpVersion.HTTP2_AND_3 : HttpVersion.HTTP2,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      geoRestriction: GeoRestriction.allowlist(...props.countries),
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    if (props.domain && features.cloudFrontCertificate === 'iam') {
      // CloudFront in China takes an IAM server certificate, which the Distribution construct does not
      // model: the alias and the viewer certificate are set on the CloudFormation resource.
      // (On the L1 properties rather than as a raw override, so cdk-nag's TLS rule sees them too.)
      const cfn = this.distribution.node.defaultChild as CfnDistribution;
      const config = cfn.distributionConfig as CfnDistribution.DistributionConfigProperty;
      cfn.distributionConfig = {
        ...config,
        aliases: [props.domain.name],
        viewerCertificate: { iamCertificateId: props.domain.certificate, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1.2_2021' },
      };
    }
    this.url = props.domain ? `https://${props.domain.name}/` : `https://${this.distribution.distributionDomainName}/`;
    suppress(this.distribution, [
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static files only (the API is a separate origin with its own JWT authorizer and throttling); a WAF web ACL for CloudFront lives in us-east-1 (and in China AWS WAF is regional only) and is left to an operator who needs it.',
      },
      ...(props.domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'No dashboardDomain (allowed below stage prod, global partition only): the default *.cloudfront.net certificate, which CloudFront serves with TLSv1 as the floor whatever MinimumProtocolVersion says. With dashboardDomain the distribution uses TLSv1.2_2021; stage prod requires it.',
            },
          ]),
      ...(features.cloudFrontOriginAccessControl
        ? []
        : [
            {
              id: 'AwsSolutions-CFR7',
              reason:
                'CloudFront in the aws-cn partition has no origin access control (AWS::CloudFront::OriginAccessControl does not exist there): an origin access identity is the only way to keep the bucket private behind it (docs/deploy-china.md).',
            },
          ]),
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
