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
 */
export function createMoomooApp(props?: AppProps): MoomooApp {
  const app = new App(props);
  // Stack tags: CloudFormation propagates them to every resource that supports tags.
  const tags = { project: 'moomoo-markets' };
  const stateful = new StatefulStack(app, 'MoomooStateful', {
    description: 'moomoo-markets: tables, job queues, schedule group, API-key secret, alarm topic',
    tags,
  });
  const stateless = new StatelessStack(app, 'MoomooStateless', {
    description: 'moomoo-markets: functions, event sources, admin Function URL, dashboard, alarms',
    resources: stateful,
    tags,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
}
