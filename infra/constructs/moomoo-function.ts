import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaNodeOptions, nodejsFunctionBundling } from '#infra/bundling.ts';
import { type DataSourceId, env } from '#infra/resources.ts';
import type {
  DeadLetterQueueResource,
  QueueResource,
  SecretResource,
  TableResource,
} from '#infra/stacks/stateful-resources.ts';
import { type ScheduleStoreMethod, schedulerActionsOf } from '#shared/adapters/scheduler-actions.ts';
import { metricsNamespace, serviceName } from '#shared/observability/metric-names.ts';

/** The entry files under `functions/`, one per Lambda, verb-noun. */
export type FunctionEntryName =
  | 'handle-admin-request'
  | 'sync-schedules'
  | 'reconcile-schedules'
  | 'dispatch-run'
  | 'advance-backfill'
  | `fetch-${DataSourceId}-job`;

/** Options of one function; everything else is a house default. */
export interface MoomooFunctionProps {
  /** Basename of the entry file in `functions/` (without `.ts`). */
  readonly entryName: FunctionEntryName;
  readonly description: string;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 256 (MB) */
  readonly memorySize?: number;
  /** @default no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /** @default tracing not configured */
  readonly tracing?: Tracing;
  /**
   * Shell commands run after bundling, to add files beside the bundle (the admin function's console).
   * @default none
   */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

const readTableActions = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const writeTableActions = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

const repoRoot = (relativePath: string): string => fileURLToPath(new URL(`../../${relativePath}`, import.meta.url));

/**
 * One Lambda with the house defaults: Node.js 24 on arm64, a bundle built by the local esbuild as `lambdaBundling`
 * says (ESM, AWS SDK included, minified, source maps on), its own log group with a retention, and a role that may
 * write only to it.
 * Access is added through the `bind…` methods, each granting IAM and setting the matching environment variable.
 * A grant that needs `Resource: *` gets a policy of its own, so that its cdk-nag acknowledgement covers that one
 * statement and never the role's other permissions.
 */
export class MoomooFunction extends Construct {
  /** The entry file in `functions/` this function runs. */
  readonly entryName: FunctionEntryName;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: MoomooFunctionProps) {
    super(scope, id);
    this.entryName = props.entryName;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entryName}`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: repoRoot(`functions/${props.entryName}.ts`),
      projectRoot: repoRoot(''),
      depsLockFilePath: repoRoot('package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: lambdaNodeOptions,
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      },
      bundling:
        props.afterBundling === undefined
          ? nodejsFunctionBundling
          : {
              ...nodejsFunctionBundling,
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: props.afterBundling,
              },
            },
    });
    if (props.tracing !== undefined && props.tracing !== Tracing.DISABLED) this.#allowTracing(props.tracing);
  }

  /**
   * Turns tracing on here rather than through the function's `tracing` prop, which would put X-Ray's wildcard
   * statement in the role's default policy beside every other grant.
   */
  #allowTracing(mode: Tracing): void {
    const cfnFunction = this.function.node.defaultChild;
    if (!(cfnFunction instanceof CfnFunction)) throw new Error('the function has no CfnFunction');
    cfnFunction.tracingConfig = { mode };
    const policy = this.#attachPolicy(
      'Tracing',
      new PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    );
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }

  /** Attaches a policy of one statement to the role; the function is created after it, so it never runs without. */
  #attachPolicy(id: string, statement: PolicyStatement): Policy {
    const policy = new Policy(this, id, { statements: [statement], roles: [this.role] });
    this.function.node.addDependency(policy);
    return policy;
  }

  /** Grants read or read/write item access to the table and its indexes, and sets the table's `…_TABLE_NAME`. */
  bindTable(resource: TableResource, access: 'read' | 'readWrite'): this {
    const { table, definition } = resource;
    // Naming each index (instead of CDK's `index/*`) keeps the policy free of wildcards.
    const indexArns = definition.indexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access === 'read' ? readTableActions : [...readTableActions, ...writeTableActions],
        resources: [table.tableArn, ...indexArns],
      }),
    );
    this.function.addEnvironment(definition.envVar, table.tableName);
    return this;
  }

  /** Grants sending to, or consuming from, a queue (a data source's jobs, backfill steps) and sets its `…_QUEUE_URL`. */
  bindQueue(resource: QueueResource, access: 'send' | 'consume'): this {
    if (access === 'send') resource.queue.grantSendMessages(this.role);
    else resource.queue.grantConsumeMessages(this.role);
    this.function.addEnvironment(resource.definition.envVar, resource.queue.queueUrl);
    return this;
  }

  /**
   * Grants sending to, consuming from, or inspecting (`sqs:GetQueueAttributes` only: its depth) a dead-letter queue —
   * a queue's, or one another service sends to — and sets its URL variable.
   */
  bindDeadLetterQueue(resource: QueueResource | DeadLetterQueueResource, access: 'send' | 'consume' | 'inspect'): this {
    const [queue, envVar] =
      'deadLetterQueue' in resource
        ? [resource.deadLetterQueue, resource.definition.deadLetterEnvVar]
        : [resource.queue, resource.definition.envVar];
    if (access === 'send') queue.grantSendMessages(this.role);
    else if (access === 'consume') queue.grantConsumeMessages(this.role);
    else queue.grant(this.role, 'sqs:GetQueueAttributes');
    this.function.addEnvironment(envVar, queue.queueUrl);
    return this;
  }

  /** Grants reading the secret's value and sets the variable that carries its ARN. */
  bindSecret(resource: SecretResource): this {
    resource.secret.grantRead(this.role);
    this.function.addEnvironment(resource.envVar, resource.secret.secretArn);
    return this;
  }

  /**
   * Grants exactly the Scheduler actions that the named `ScheduleStore` methods call (`schedulerActionsOf`) on the
   * schedules of the group, and sets `SCHEDULE_GROUP_NAME`. Once per function.
   */
  bindScheduleGroup(scheduleGroupName: string, methods: readonly ScheduleStoreMethod[]): this {
    const actions = new Set(methods.flatMap((method) => schedulerActionsOf[method]));
    const onSchedules = [...actions].filter((action) => action !== 'scheduler:ListSchedules').sort();
    if (onSchedules.length > 0) {
      const schedulesInGroup = Stack.of(this).formatArn({
        service: 'scheduler',
        resource: 'schedule',
        resourceName: `${scheduleGroupName}/*`,
      });
      const policy = this.#attachPolicy(
        'Schedules',
        new PolicyStatement({ actions: onSchedules, resources: [schedulesInGroup] }),
      );
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${scheduleGroupName}/*]`,
        reason: 'Schedules are created at run time, one per job group; access is limited to our schedule group.',
      });
    }
    if (actions.has('scheduler:ListSchedules')) {
      const policy = this.#attachPolicy(
        'ListSchedules',
        new PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }),
      );
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'scheduler:ListSchedules supports no resource-level permissions; the code lists only our group.',
      });
    }
    this.function.addEnvironment(env.scheduleGroupName, scheduleGroupName);
    return this;
  }

  /**
   * Lets the function point schedules at the dispatcher: passes the scheduler's role (to Scheduler only) and sets
   * `SCHEDULER_ROLE_ARN`, `DISPATCHER_FUNCTION_ARN` and the ARN of the schedules' dead-letter queue. The function
   * itself is granted nothing on that queue: it only names it in each target, and the scheduler role sends to it.
   */
  bindScheduleTarget(target: {
    readonly schedulerRole: IRole;
    readonly dispatcher: IFunction;
    readonly deadLetters: DeadLetterQueueResource;
  }): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [target.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    this.function.addEnvironment(env.schedulerRoleArn, target.schedulerRole.roleArn);
    this.function.addEnvironment(env.dispatcherFunctionArn, target.dispatcher.functionArn);
    this.function.addEnvironment(target.deadLetters.definition.arnEnvVar, target.deadLetters.queue.queueArn);
    return this;
  }
}
