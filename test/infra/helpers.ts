/**
 * Synthesises GatewayStack in-process, offline, with cdk-nag's AWS Solutions checks registered as in infra/app.ts.
 * Bundling is skipped (`aws:cdk:bundling-stacks: []`): CDK then stages the source folder instead of running esbuild,
 * through the same asset code path the deploy takes (test/infra/bundle.test.ts builds the bundle itself).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from '../../infra/config.js';
import { GatewayStack } from '../../infra/gateway-stack.js';
import { type TableId, tableDefinitions } from '../../lib/storage/tables.js';

export interface Synthesised {
  app: App;
  stack: GatewayStack;
  template: Template;
  outdir: string;
}

export interface SynthOptions {
  context?: Record<string, unknown>;
  /** Adds constructs to the stack before synthesis (e.g. a deliberate cdk-nag finding). */
  extend?: (stack: GatewayStack) => void;
}

/** Builds the app as infra/app.ts does; `synth()` runs the cdk-nag plugin and throws on any finding. */
export function buildApp({ context = {}, extend }: SynthOptions = {}): Omit<Synthesised, 'template'> {
  const outdir = mkdtempSync(join(tmpdir(), 'gw-cdk-'));
  const app = new App({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  const config = configFromContext(app.node);
  const stack = new GatewayStack(app, config.stackName, { config });
  extend?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, outdir };
}

export function synth(options: SynthOptions = {}): Synthesised {
  const built = buildApp(options);
  built.app.synth();
  return { ...built, template: Template.fromStack(built.stack) };
}

type Json = Record<string, unknown>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** Every statement of the inline policies attached to the role with this logical id. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => {
      const roles = (policy.Properties as { Roles: { Ref: string }[] }).Roles;
      return roles.some((role) => role.Ref === roleLogicalId);
    })
    .flatMap(
      (policy) => (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
    );
}

/** The logical id of the role a function runs as. */
export function functionRoleId(template: Template, functionLogicalId: string): string {
  const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId];
  if (!fn) throw new Error(`no function ${functionLogicalId}`);
  const role = (fn.Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role;
  return role['Fn::GetAtt'][0];
}

/** Logical id of the one resource of `type` whose logical id starts with `prefix` (CDK appends a hash). */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

/** Each table's logical id, found by its key schema (the definitions in lib/storage/tables.ts). */
export function tableIds(template: Template): Record<TableId, string> {
  const tables = template.findResources('AWS::DynamoDB::Table');
  const keyOf = (schema: { AttributeName: string; KeyType: string }[]) =>
    schema.map((key) => `${key.KeyType}:${key.AttributeName}`).join(',');
  const result: Partial<Record<TableId, string>> = {};
  for (const [id, definition] of Object.entries(tableDefinitions) as [TableId, (typeof tableDefinitions)[TableId]][]) {
    const wanted = [
      `HASH:${definition.partitionKey.name}`,
      ...(definition.sortKey ? [`RANGE:${definition.sortKey.name}`] : []),
    ];
    const match = Object.entries(tables).filter(
      ([, table]) => keyOf((table.Properties as { KeySchema: [] }).KeySchema) === wanted.join(','),
    );
    if (match.length !== 1) throw new Error(`expected one table keyed ${wanted.join(',')} for ${id}`);
    result[id] = match[0]![0];
  }
  return result as Record<TableId, string>;
}

/** Whether a resource entry is exactly the ARN of the resource with this logical id. */
export const isArnOf = (resource: unknown, id: string): boolean =>
  JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });

/** The statements that allow `action` on the resource with this logical id. */
export function allowing(statements: Statement[], action: string, resourceId: string): Statement[] {
  return statements.filter(
    (statement) =>
      statement.Effect === 'Allow' &&
      actionsOf(statement).some((a) => a === action || a === '*' || a === `${action.split(':')[0]}:*`) &&
      resourcesOf(statement).some(
        (resource) => resource === '*' || JSON.stringify(resource).includes(`"${resourceId}"`),
      ),
  );
}

/** A CloudFormation `Fn::Join` of literals and pseudo-parameters, rendered as cdk-nag does (`<AWS::Region>`). */
export function renderJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(renderJoin).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return `<${ref}>`;
  return JSON.stringify(value);
}
