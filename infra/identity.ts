// Staff sign-in: the OpenID provider the HTTP API's JWT authorizer trusts and the dashboard signs in
// at (./identity-settings.ts). Either the district's own issuer from context (the only choice in the
// aws-cn partition), or, in the global partition, the stack's own Cognito user pool: ID tokens with
// custom:staffId, custom:orgUnitId, custom:role and custom:district (docs/api.md) that staff cannot
// write themselves: only an administrator sets them.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolClientIdentityProvider,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { COGNITO_CLAIMS, type ClaimNames, type OidcSettings } from './identity-settings';
import { FORMER_LOGICAL_IDS, keepLogicalId } from './logical-ids';

export interface IdentityProps {
  districtId: string;
  stage: string;
  /** The district's issuer; absent: a Cognito user pool (global partition only; the caller checks). */
  oidc?: OidcSettings;
  /** Cognito hosted UI domain prefix, unique in the region (default `shudi-<stage>-<district>`). */
  authDomainPrefix?: string;
}

export class Identity extends Construct {
  readonly provider: 'cognito' | 'oidc';
  /** The `iss` the authorizer requires (a token for the Cognito pool). */
  readonly issuer: string;
  readonly claims: ClaimNames;
  /** Origins the dashboard talks to when signing in (CSP connect-src and form-action). */
  readonly origins: string[];
  readonly userPool?: UserPool;
  readonly userPoolDomain?: UserPoolDomain;
  private client?: UserPoolClient;
  private readonly props: IdentityProps;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.props = props;
    if (props.oidc) {
      this.provider = 'oidc';
      this.issuer = props.oidc.issuer;
      this.claims = props.oidc.claims;
      this.origins = [new URL(props.oidc.issuer).origin];
      return;
    }
    const { districtId, stage } = props;
    this.provider = 'cognito';
    this.claims = COGNITO_CLAIMS;
    const pool = new UserPool(this, 'UserPool', {
      userPoolName: `shudi-${stage}-${districtId}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        staffId: new StringAttribute({ minLen: 1, maxLen: 80, mutable: false }),
        orgUnitId: new StringAttribute({ minLen: 1, maxLen: 63, mutable: true }),
        role: new StringAttribute({ minLen: 1, maxLen: 40, mutable: true }),
        district: new StringAttribute({ minLen: 1, maxLen: 63, mutable: false }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Staff see personal data: a second factor always (an authenticator app; no SMS).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus, with threat protection enforcing (full function): compromised credentials and risky
      // sign-ins are blocked or challenged, not only logged (audit only would be NO_ENFORCEMENT/AUDIT).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    keepLogicalId(pool, FORMER_LOGICAL_IDS.userPool);
    const prefix = props.authDomainPrefix ?? `shudi-${stage}-${districtId}`;
    const domain = pool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: prefix } });
    keepLogicalId(domain, FORMER_LOGICAL_IDS.userPoolDomain);
    this.userPool = pool;
    this.userPoolDomain = domain;
    this.issuer = `https://${pool.userPoolProviderUrl}`;
    const { region, urlSuffix } = Stack.of(this);
    this.origins = [`https://cognito-idp.${region}.${urlSuffix}`, `https://${prefix}.auth.${region}.amazoncognito.com`];
  }

  /** The dashboard's client at the user pool, created once the dashboard's URL is known (its redirect URI). */
  dashboardClient(redirectUri: string | undefined): { clientId: string; audience: string[] } {
    if (this.props.oidc) return { clientId: this.props.oidc.clientId, audience: this.props.oidc.audience };
    // (The global target, the only one with a user pool, always hosts the dashboard.)
    if (!redirectUri) throw new Error('a Cognito user pool client needs the dashboard URL as its redirect URI');
    this.client ??= this.userPool!.addClient('DashboardClient', {
      userPoolClientName: 'dashboard',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [redirectUri],
        logoutUrls: [redirectUri],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, locale: true })
        .withCustomAttributes('staffId', 'orgUnitId', 'role', 'district'),
      // Staff may set their UI language; never their staff id, org unit, role or district.
      writeAttributes: new ClientAttributes().withStandardAttributes({ locale: true }),
    });
    keepLogicalId(this.client, FORMER_LOGICAL_IDS.userPoolClient);
    return { clientId: this.client.userPoolClientId, audience: [this.client.userPoolClientId] };
  }

  get userPoolClient(): UserPoolClient | undefined {
    return this.client;
  }
}
