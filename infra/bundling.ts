// How every Lambda of a district stack is bundled: esbuild on this machine (no Docker), one ESM
// file per function, minified with a source map, the AWS SDK v3 left to the runtime's copy, and the
// stack's own district config aliased in as `shudi-district-config`.
// bench/bundles.bench.ts bundles with exactly these options, through the same CDK code path.
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { districtFileOf } from './paths';

export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;
export const ESBUILD_TARGET = 'node22';

/** Some CommonJS dependencies (aws-xray-sdk-core) call require(); an ESM bundle needs one. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/** The alias the Lambda code imports its district config by (functions/handlers/lambda/district.ts). */
export const DISTRICT_CONFIG_MODULE = 'shudi-district-config';

/** What a bundle leaves to the Lambda runtime: the AWS SDK v3 it ships. */
export const SDK_EXTERNALS = ['@aws-sdk/*'] as const;

export function bundlingOptions(districtId: string): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: ESBUILD_TARGET,
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_BANNER,
    minify: true,
    sourceMap: true,
    // Stack traces map back to files and lines; the sources themselves stay out of the zip.
    sourcesContent: false,
    // The Node.js 22 runtime ships SDK v3 (every @aws-sdk/* client and lib-dynamodb): bundling our
    // own copy made each function 300 KB larger (bench/bundles.bench.ts). The calls we make
    // (GetItem, Query, TransactWriteItems, Publish, GetSecretValue) are old, stable APIs.
    externalModules: [...SDK_EXTERNALS],
    esbuildArgs: { '--alias': `${DISTRICT_CONFIG_MODULE}=${districtFileOf(districtId)}` },
    logLevel: LogLevel.WARNING,
  };
}

/** Environment of every function (Powertools and source maps); the stack adds TABLE_NAME etc. */
export function commonLambdaEnvironment(serviceName: string): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_METRICS_NAMESPACE: 'shudi',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  };
}
