// The deploy target of a district stack: the partition follows from the region. The China regions
// (cn-northwest-1 Ningxia, cn-north-1 Beijing) are the `aws-cn` partition, where the stack uses only
// what docs/deploy-china.md's service table says exists there; every other region is the global
// `aws` partition. No AWS CDK imports: app.ts, the tests and the docs check read this file.

export type Partition = 'aws' | 'aws-cn';

/** The regions a Chinese district deploys to, first the documented default. */
export const CHINA_REGIONS = ['cn-northwest-1', 'cn-north-1'] as const;

export function partitionOf(region: string): Partition {
  return region.startsWith('cn-') ? 'aws-cn' : 'aws';
}

/** What the partition offers that the stack would use (docs/deploy-china.md, "Services"). */
export interface TargetFeatures {
  /** Cognito user pools (the global default identity provider). */
  cognitoUserPools: boolean;
  /** CloudFront origin access control; without it, an origin access identity reads the bucket. */
  cloudFrontOriginAccessControl: boolean;
  /** CloudFront serves its default domain (*.cloudfront.net); in China only an ICP-recorded alias. */
  cloudFrontDefaultDomain: boolean;
  /** CloudFront certificates: from ACM (in us-east-1) globally; IAM server certificates in China. */
  cloudFrontCertificate: 'acm' | 'iam';
  /** HTTP/3 on CloudFront. */
  cloudFrontHttp3: boolean;
  /** SNS sends SMS itself (smsVia sns). */
  snsSms: boolean;
  /** X-Ray active tracing of Lambda functions (not in the China regions). */
  lambdaXRay: boolean;
}

export const FEATURES: Record<Partition, TargetFeatures> = {
  aws: {
    cognitoUserPools: true,
    cloudFrontOriginAccessControl: true,
    cloudFrontDefaultDomain: true,
    cloudFrontCertificate: 'acm',
    cloudFrontHttp3: true,
    snsSms: true,
    lambdaXRay: true,
  },
  'aws-cn': {
    cognitoUserPools: false,
    cloudFrontOriginAccessControl: false,
    cloudFrontDefaultDomain: false,
    cloudFrontCertificate: 'iam',
    cloudFrontHttp3: false,
    snsSms: false,
    lambdaXRay: false,
  },
};

export interface DeployTarget {
  /** Unset: no target yet (the stack refuses to synthesize: ./district-stack.ts, checkSettings). */
  region?: string;
  partition: Partition;
  features: TargetFeatures;
}

/** The target of a stack whose region may be a token (unknown: the global target's features). */
export function deployTarget(region: string | undefined): DeployTarget {
  if (region !== undefined && region.includes('${Token[')) region = undefined;
  const partition = region ? partitionOf(region) : 'aws';
  return { ...(region ? { region } : {}), partition, features: FEATURES[partition] };
}

/**
 * The region of a synth: `-c region=`, else AWS_REGION or AWS_DEFAULT_REGION as the operator set them.
 * Never CDK_DEFAULT_REGION: the CLI fills it from its own default (us-east-1 when nothing is configured),
 * which would pin a region nobody chose into the template.
 */
export function regionFrom(contextRegion: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const region = contextRegion ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined);
  if (region !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`context region: "${region}" is not an AWS region name (e.g. cn-northwest-1)`);
  return region;
}
