import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from '#infra/stacks/stateful-stack.ts';
import { StatelessStack } from '#infra/stacks/stateless-stack.ts';

/** The CDK app and its two stacks. */
export interface MoomooApp {
  readonly app: App;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Builds the app: env-agnostic stateful and stateless stacks (no account or region lookups), checked on every synth
 * by cdk-nag's AWS Solutions pack; acknowledged findings carry their reason next to the resource.
 *
 * Context: `alertEmail` (`cdk deploy -c alertEmail=ops@example.com`) subscribes that address to the alarm topic.
 */
export function createMoomooApp(props?: AppProps): MoomooApp {
  const app = new App(props);
  const alertEmail = alertEmailOf(app.node.tryGetContext('alertEmail'));
  // Stack tags: CloudFormation propagates them to every resource that supports tags.
  const tags = { project: 'moomoo-markets' };
  const stateful = new StatefulStack(app, 'MoomooStateful', {
    description: 'moomoo-markets: tables, job queues, schedule group, API-key secret, alarm topic',
    tags,
    ...(alertEmail === undefined ? {} : { alertEmail }),
  });
  const stateless = new StatelessStack(app, 'MoomooStateless', {
    description: 'moomoo-markets: functions, event sources, admin Function URL, dashboard, alarms',
    resources: stateful,
    tags,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
}

/** The `alertEmail` context value: absent or empty for none, else one email address. */
function alertEmailOf(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new Error(`-c alertEmail must be one email address (e.g. ops@example.com), not ${JSON.stringify(value)}`);
  }
  return value;
}
