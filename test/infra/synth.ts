// Synthesizing district stacks for the infra tests: the app's own context (cdk.json), each stack
// once per test file, and helpers that read CloudFormation values back into plain strings.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { loadAllDistricts } from '../../infra/district-config-files';
import { DistrictStack, type DistrictStackSettings } from '../../infra/district-stack';
import { ROOT } from '../../infra/paths';

/** The feature flags and settings of cdk.json, so tests synthesize what `cdk synth` does. */
export const cdkJsonContext = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export const districts: Record<string, DistrictConfig> = Object.fromEntries(loadAllDistricts(join(ROOT, 'seeds', 'districts')).map((d) => [d.id, d]));

/** A global region with every service the stack uses (Hong Kong, nearest to the districts). */
export const TEST_ENV: Environment = { region: 'ap-east-1' };

export interface Synthesized {
  app: App;
  stack: DistrictStack;
  template: Template;
  json: CfnTemplate;
  outdir: string;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
  Metadata?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  [k: string]: unknown;
}

export function synthDistrict(
  districtId: string,
  opts: { bundling?: boolean; env?: Environment; stage?: string; settings?: DistrictStackSettings; config?: (d: DistrictConfig) => DistrictConfig } = {},
): Synthesized {
  const seeded = districts[districtId];
  const district = seeded && opts.config ? opts.config(seeded) : seeded;
  if (!district) throw new Error(`no district ${districtId}`);
  const outdir = mkdtempSync(join(tmpdir(), `shudi-cdk-${districtId}-`));
  const app = new App({
    outdir,
    // CDK's built-in CloudFormation-spec validation adds ~10 s per synth; `cdk synth` still runs it.
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext, ...(opts.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new DistrictStack(app, `shudi-${opts.stage ?? 'test'}-${districtId}`, {
    district,
    stage: opts.stage ?? 'test',
    env: opts.env ?? TEST_ENV,
    ...(opts.settings ? { settings: opts.settings } : {}),
  });
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate, outdir };
}

/** cdk-nag's AwsSolutions pack over a synthesized stack: the findings not acknowledged. */
export function nagFindings(s: Synthesized): { rule: string; severity: string; paths: string[] }[] {
  const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    severity: String(v.severity ?? ''),
    paths: v.violatingResources.map((r) => (r as { constructPath?: string; resourceLogicalId?: string }).constructPath ?? r.resourceLogicalId ?? '?'),
  }));
}

export function resourcesOfType(t: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

/**
 * A CloudFormation value as text: `{Ref: X}` → `X`, `{Fn::GetAtt: [X, Arn]}` → `X.Arn`, a Join
 * concatenated, pseudo parameters as `<AWS::Region>`.
 */
export function cfnText(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(cfnText).join(',');
  if (v && typeof v === 'object') {
    const o = v as Record<string, any>;
    if ('Ref' in o) return String(o.Ref).startsWith('AWS::') ? `<${o.Ref}>` : String(o.Ref);
    if ('Fn::GetAtt' in o) return (o['Fn::GetAtt'] as string[]).join('.');
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(cfnText).join(sep);
    }
    if ('Fn::Sub' in o) return String(Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'][0] : o['Fn::Sub']);
    return JSON.stringify(o);
  }
  return String(v);
}

export interface IamStatement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

/** Every statement of an identity policy attached to a role, with the role it belongs to. */
export function roleStatements(t: CfnTemplate): { role: string; policy: string; statement: IamStatement }[] {
  const out: { role: string; policy: string; statement: IamStatement }[] = [];
  for (const [id, r] of resourcesOfType(t, 'AWS::IAM::Policy')) {
    const roles = ((r.Properties?.Roles ?? []) as unknown[]).map(cfnText);
    for (const statement of r.Properties?.PolicyDocument?.Statement ?? []) for (const role of roles) out.push({ role, policy: id, statement });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::IAM::Role')) {
    for (const p of r.Properties?.Policies ?? []) for (const statement of p.PolicyDocument?.Statement ?? []) out.push({ role: id, policy: `${id}/${p.PolicyName}`, statement });
  }
  for (const [id, r] of resourcesOfType(t, 'AWS::IAM::ManagedPolicy')) {
    const roles = ((r.Properties?.Roles ?? []) as unknown[]).map(cfnText);
    for (const statement of r.Properties?.PolicyDocument?.Statement ?? []) for (const role of roles) out.push({ role, policy: id, statement });
  }
  return out;
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Template JSON with asset hashes (64 hex digits) replaced, stable across machines. */
export function normalizedTemplate(t: CfnTemplate): CfnTemplate {
  return JSON.parse(JSON.stringify(t).replace(/[0-9a-f]{64}/g, '<asset-hash>')) as CfnTemplate;
}
