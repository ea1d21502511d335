import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Policy } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedApp, synthesizeApp } from '#test/infra/synthesize-app.ts';

interface Acknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
}

/** Every rule acknowledged anywhere in the tree, with the construct that acknowledges it. */
const acknowledgmentsIn = (root: IConstruct): Acknowledgment[] =>
  root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );

describe('cdk-nag AWS Solutions checks', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = synthesizeApp();
  });
  afterAll(() => synthesized.dispose());

  it('finds no unacknowledged error or warning in either stack', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(synthesized.app);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) =>
          `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
      ),
    );
    expect(findings).toEqual([]);
  });

  it('leaves no construct error or warning on either stack', () => {
    for (const stack of [synthesized.stateful, synthesized.stateless]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    }
  });

  it('gives every acknowledged finding a written reason', () => {
    const acknowledgments = acknowledgmentsIn(synthesized.app);
    expect(acknowledgments).not.toEqual([]);
    for (const { path, id, reason } of acknowledgments) {
      expect(typeof reason === 'string' && reason.length >= 40, `${id} at ${path}`).toBe(true);
    }
  });

  it('acknowledges findings on single resources, never on a whole stack or the app', () => {
    const broad = new Set([synthesized.app.node.path, synthesized.stateful.node.path, synthesized.stateless.node.path]);
    for (const { path, id } of acknowledgmentsIn(synthesized.app)) {
      expect(broad.has(path), `${id} at ${path}`).toBe(false);
    }
  });

  it('acknowledges wildcard IAM findings one resource pattern at a time', () => {
    const wildcardAcknowledgments = acknowledgmentsIn(synthesized.app).filter(({ id }) =>
      id.startsWith('AwsSolutions-IAM5'),
    );
    for (const { path, id } of wildcardAcknowledgments) {
      expect(id, path).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
    }
  });

  it('acknowledges a wildcard IAM finding on the one policy that holds it, never on a whole role', () => {
    const constructs = new Map(synthesized.app.node.findAll().map((construct) => [construct.node.path, construct]));
    const wildcardAcknowledgments = acknowledgmentsIn(synthesized.app).filter(({ id }) =>
      id.startsWith('AwsSolutions-IAM5'),
    );
    expect(wildcardAcknowledgments).not.toEqual([]);
    for (const { path, id } of wildcardAcknowledgments) {
      expect(constructs.get(path), `${id} at ${path}`).toBeInstanceOf(Policy);
    }
  });

  it('keeps both stacks free of account and region lookups', () => {
    for (const stack of [synthesized.stateful, synthesized.stateless]) {
      expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    }
  });
});
