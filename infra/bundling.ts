// How every Lambda of a district stack is bundled: esbuild on this machine (no Docker), one ESM
// file per function, minified with a source map, the AWS SDK v3 bundled (not the runtime's copy),
// and the stack's own district config aliased in as `shudi-district-config`: derived from
// seeds/districts/<id>.json without the staff roster (names, phones and e-mails are personal data;
// functions read staff from the table), validated and written into the cloud assembly next to the templates.
// bench/bundles.bench.ts bundles with exactly these options, through the same CDK code path.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stage, type Stack } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { withoutStaff, type DistrictConfig } from '../functions/domain/district-config';
import { paths } from './paths';
import { parseDeployedDistrictConfig } from './district-config-files';

export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;
export const ESBUILD_TARGET = 'node22';

/** Some CommonJS dependencies (the SMS providers' SDKs, nodemailer) call require(); an ESM bundle needs one. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/** The SDK's default credential provider, which the Lambda bundles replace (LAMBDA_CREDENTIALS). */
export const SDK_CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
export const LAMBDA_CREDENTIALS = join(paths.lambdaEntries, 'credentials.ts');

/** The alias the Lambda code imports its district config by (functions/handlers/lambda/district.ts). */
export const DISTRICT_CONFIG_MODULE = 'shudi-district-config';

const deployedConfigFiles = new WeakMap<Stack, string>();

/**
 * Writes the stack's deployed district config (the district without its staff roster) into the cloud
 * assembly, `<outdir>/shudi-district-config/<stack>/<id>.json`, for its functions to bundle. It is
 * validated here, against the deployed schema (no `staff`, the territory checked): the functions trust
 * it and only check its id at cold start (functions/handlers/lambda/district.ts).
 */
export function writeDeployedDistrictConfig(stack: Stack, district: DistrictConfig): string {
  const outdir = Stage.of(stack)?.outdir;
  if (!outdir) throw new Error(`stack ${stack.node.path} is not in an app: nowhere to write its district config`);
  const dir = join(outdir, 'shudi-district-config', stack.artifactId);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${district.id}.json`);
  writeFileSync(file, JSON.stringify(parseDeployedDistrictConfig(withoutStaff(district), `${district.id}.json`)) + '\n');
  deployedConfigFiles.set(stack, file);
  return file;
}

/** The deployed district config file of the stack (written by writeDeployedDistrictConfig). */
export function deployedDistrictConfigOf(stack: Stack): string {
  const file = deployedConfigFiles.get(stack);
  if (!file) throw new Error(`stack ${stack.node.path} has no deployed district config: call writeDeployedDistrictConfig before adding functions`);
  return file;
}

/**
 * CDK context key: when true, esbuild also writes its metafile (index.meta.json, what each input contributes) into
 * every asset. Only bench/bundles.bench.ts sets it, to break the bundles down by package; a deployment never does
 * (the file would ship in the zip).
 */
export const BUNDLE_METAFILE_CONTEXT = 'shudi:bundleMetafile';

export function bundlingOptions(configFile: string, opts: { metafile?: boolean } = {}): BundlingOptions {
  return {
    ...(opts.metafile ? { metafile: true } : {}),
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
    esbuildArgs: {
      '--alias': [
        `${DISTRICT_CONFIG_MODULE}=${configFile}`,
        // The SDK clients' default credential chain, cut to what Lambda uses: the role's credentials from the
        // environment (functions/handlers/lambda/credentials.ts; about 130 KB less per bundle with a client).
        `${SDK_CREDENTIAL_CHAIN}=${LAMBDA_CREDENTIALS}`,
      ],
    },
    logLevel: LogLevel.WARNING,
  };
}

/** Environment of every function (Powertools logger and metrics, source maps); the stack adds TABLE_NAME etc. */
export function commonLambdaEnvironment(serviceName: string): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_METRICS_NAMESPACE: 'shudi',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
  };
}
