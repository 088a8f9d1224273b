// How every Lambda of a district stack is bundled: esbuild on this machine (no Docker), one ESM
// file per function, minified with a source map, the AWS SDK v3 bundled (not the runtime's copy),
// and the stack's own district config aliased in as `shudi-district-config`.
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
    // Bundle SDK v3 instead of relying on the runtime's copy: pinned by our lock file, tree-shaken
    // to the clients a function uses, and faster to load. Leaving it to the runtime makes each
    // bundle about 300 KB smaller but doubled cold initialization when measured (fireTimer 986 →
    // 1,782 ms, listDueTimers 708 → 1,735 ms, same run; docs/performance.md, Lambda bundles).
    externalModules: [],
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
