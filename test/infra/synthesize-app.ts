import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createMoomooApp, type MoomooApp } from '#infra/moomoo-app.ts';

/** The real app, synthesized once, with both templates. */
export interface SynthesizedApp extends MoomooApp {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
  /** The cloud assembly directory (bundled function code in `asset.<hash>/`). */
  readonly outdir: string;
  /** Removes the cloud assembly, bundled assets included. */
  readonly dispose: () => void;
}

/** A CloudFormation resource as the assertions below read it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** How to synthesize the app. */
export interface SynthesizeOptions {
  /** Context values beside cdk.json's, as `cdk deploy -c name=value` gives them (e.g. `alertEmail`). */
  readonly context?: Record<string, unknown>;
  /** Bundle the functions with esbuild; tests that read no bundle skip it. @default true */
  readonly bundle?: boolean;
}

/**
 * Builds the app with the context of cdk.json (as `cdk synth` does) into a temporary directory and synthesizes it:
 * esbuild bundles every function for real unless `bundle` is false, so call it once per test file.
 */
export function synthesizeApp(options: SynthesizeOptions = {}): SynthesizedApp {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const outdir = mkdtempSync(join(tmpdir(), 'moomoo-cdk-'));
  const context = {
    ...cdkJson.context,
    ...options.context,
    // CDK bundles assets only in the stacks this names; none skips esbuild (the functions get placeholder code).
    ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
  };
  const built = createMoomooApp({ outdir, context });
  return {
    ...built,
    outdir,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: Template.fromStack(built.stateless),
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** The resources of one type, as `[logicalId, resource]` pairs. */
export function resourcesOf(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type) as Record<string, CfnResource>);
}

/** The resource with this logical id; throws when there is none. */
export function resourceById(template: Template, logicalId: string): CfnResource {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const resource = resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource;
}

/** The logical id of a construct's CloudFormation resource, as its stack's template names it. */
export function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(element)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).getLogicalId(element);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Follows a reference from the stateless template to the stateful output it reads — weak (`Fn::GetStackOutput`)
 * or strong (`Fn::ImportValue`) — and returns that output's value; any other value is returned as it is.
 */
export function resolveStatefulReference(value: unknown, statefulTemplate: Template): unknown {
  const outputs = statefulTemplate.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  if (!isRecord(value)) return value;
  const stackOutput = value['Fn::GetStackOutput'];
  if (isRecord(stackOutput) && typeof stackOutput.OutputName === 'string') {
    return outputs[stackOutput.OutputName]?.Value;
  }
  if ('Fn::ImportValue' in value) {
    const exportName = JSON.stringify(value['Fn::ImportValue']);
    return Object.values(outputs).find((output) => JSON.stringify(output.Export?.Name) === exportName)?.Value;
  }
  return value;
}

/** The logical id behind `{ Ref }` or `{ Fn::GetAtt }`, or undefined. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

/** A dashboard widget as its body holds it: a title, and metrics as CloudWatch's dashboard body arrays. */
export interface DashboardWidget {
  readonly title: string;
  /** Each entry `[namespace, name, …dimensions, options?]` or `[{ expression, label }]`. */
  readonly metrics: readonly (readonly unknown[])[];
}

/**
 * The widgets of the template's dashboards. The body is a JSON string joined around deploy-time tokens (region,
 * names), each inside a JSON string, so each token is read as the text `<token>`.
 */
export function dashboardWidgetsOf(template: Template): DashboardWidget[] {
  return resourcesOf(template, 'AWS::CloudWatch::Dashboard').flatMap(([, dashboard]) => {
    const body = dashboard.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
    const text =
      typeof body === 'string'
        ? body
        : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join(body['Fn::Join'][0]);
    const parsed = JSON.parse(text) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    return parsed.widgets.map(({ properties }) => ({
      title: properties.title ?? '',
      metrics: properties.metrics ?? [],
    }));
  });
}
