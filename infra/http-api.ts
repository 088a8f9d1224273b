// The HTTP API: one Lambda (functions/api/lambda.ts) behind API Gateway v2, with a JWT authorizer for
// the district's OpenID provider (./identity.ts) on every staff route. The routes are the API's own
// route table (functions/api/routes.ts), one API Gateway route per entry: no `{proxy+}` catch-all, so a
// path the product does not serve on AWS (the local `/dev/*` endpoints above all) is answered 404 by
// API Gateway and never reaches the Lambda.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CLAIMS_ENV } from '../functions/api/claims';
import { apiRoutes } from '../functions/api/routes';
import { apiAccess } from './access';
import type { ClaimNames } from './identity-settings';
import { ShudiFunction } from './lambda-function';
import { suppress } from './nag';
import { paths } from './paths';

export interface GatewayRoute {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** public: no token (health, the OpenAPI document); staff: the JWT authorizer. */
  auth: 'public' | 'staff';
}

/** The API Gateway routes: the API's route table, method, path and auth of each entry. */
export function gatewayRoutes(): GatewayRoute[] {
  return apiRoutes(() => ({})).map((r) => ({ method: r.method, path: r.path, auth: r.auth }));
}

export interface DistrictApiProps {
  districtId: string;
  stage: string;
  table: TableV2;
  key: Key;
  /** The JWT authorizer's issuer and audiences; the claim names the API reads. */
  issuer: string;
  audience: string[];
  claims: ClaimNames;
  /** Origins allowed to call the API from a browser (the dashboard's); none: no CORS. */
  allowOrigins: string[];
  rateLimit: number;
  burstLimit: number;
}

export class DistrictApi extends Construct {
  readonly fn: ShudiFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly routes: GatewayRoute[];

  constructor(scope: Construct, id: string, props: DistrictApiProps) {
    super(scope, id);
    const { districtId, stage } = props;
    this.fn = new ShudiFunction(this, 'ApiFn', {
      districtId,
      stage,
      entry: paths.apiEntry,
      serviceName: 'shudi-api',
      description: `shudi ${stage} ${districtId}: HTTP API`,
      table: props.table,
      key: props.key,
      access: apiAccess,
      // API Gateway waits at most 30 s for an integration.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      // What the authorizer verified, for the API to read the caller from (functions/api/access.ts).
      environment: {
        SHUDI_OIDC_ISSUER: props.issuer,
        SHUDI_OIDC_AUDIENCE: props.audience.join(','),
        // The claim names the API reads (functions/api/claims.ts), the same variable `npm start` reads.
        [CLAIMS_ENV]: JSON.stringify(props.claims),
      },
    });

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `shudi-${stage}-${districtId}`,
      description: `shudi ${stage} ${districtId}: case routing API`,
      createDefaultStage: false,
      ...(props.allowOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: props.allowOrigins,
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.OPTIONS],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const accessLogs = new LogGroup(this, 'HttpApiAccessLogs', { retention: RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    this.stage = new HttpStage(this, 'HttpApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      // No caller identity or address: who did what is in the API's own audit log.
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    // A JWT authorizer, not a Lambda authorizer: API Gateway checks signature, issuer, audience and
    // expiry itself, and in the China regions a Lambda authorizer would need the account's ICP filing.
    const authorizer = new HttpJwtAuthorizer('OidcJwt', props.issuer, {
      authorizerName: 'oidc',
      jwtAudience: props.audience,
      identitySource: ['$request.header.Authorization'],
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.fn.fn);
    this.routes = gatewayRoutes();
    for (const r of this.routes) {
      const [route] = this.api.addRoutes({ path: r.path, methods: [HttpMethod[r.method]], integration, ...(r.auth === 'staff' ? { authorizer } : {}) });
      if (r.auth === 'public')
        suppress(route!, [{ id: 'AwsSolutions-APIG4', reason: `${r.method} ${r.path} is public by design (docs/api.md): a health probe and the OpenAPI document, no data.` }]);
    }
  }
}
