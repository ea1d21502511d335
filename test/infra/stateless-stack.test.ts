import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  dashboardWidgetsOf,
  logicalIdOf,
  referencedLogicalId,
  resolveStatefulReference,
  resourceById,
  resourcesOf,
  type SynthesizedApp,
  synthesizeApp,
} from '#test/infra/synthesize-app.ts';

interface EventSourceMapping {
  readonly functionId: string;
  readonly properties: Record<string, unknown>;
  /** The stateful resource the mapping reads, and which of its attributes (`Arn` of a queue, `StreamArn`). */
  readonly source: { readonly logicalId: string; readonly attribute: string };
}

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

describe('stateless stack', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = synthesizeApp();
  });
  afterAll(() => synthesized.dispose());

  const functions = (): [string, CfnResource][] => resourcesOf(synthesized.statelessTemplate, 'AWS::Lambda::Function');
  const lambda = (logicalId: string): CfnResource => resourceById(synthesized.statelessTemplate, logicalId);
  const eventSourceMappings = (): EventSourceMapping[] =>
    resourcesOf(synthesized.statelessTemplate, 'AWS::Lambda::EventSourceMapping').map(([, mapping]) => {
      const properties = mapping.Properties;
      const source = resolveStatefulReference(properties.EventSourceArn, synthesized.statefulTemplate) as {
        'Fn::GetAtt': [string, string];
      };
      const [logicalId, attribute] = source['Fn::GetAtt'];
      return {
        functionId: referencedLogicalId(properties.FunctionName) ?? '',
        properties,
        source: { logicalId, attribute },
      };
    });
  const queueMappings = (): EventSourceMapping[] =>
    eventSourceMappings().filter(({ source }) => source.attribute === 'Arn');
  const statementsOfRole = (roleId: string | undefined): PolicyStatement[] =>
    resourcesOf(synthesized.statelessTemplate, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
  const policyStatementsOf = (functionId: string): PolicyStatement[] =>
    statementsOfRole(referencedLogicalId(lambda(functionId).Properties.Role));
  const environmentOf = (functionId: string): Record<string, unknown> =>
    (lambda(functionId).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const functionIdOf = (id: string): string => {
    const found = synthesized.stateless.functions.find((fn) => fn.node.id === id);
    if (!found) throw new Error(`no function ${id}`);
    return logicalIdOf(found.function);
  };
  /** The actions a function's role is granted on the stateful resource with this logical id (by its ARN). */
  const actionsOn = (functionId: string, logicalId: string): string[] =>
    policyStatementsOf(functionId)
      .filter((statement) =>
        [statement.Resource]
          .flat()
          .some(
            (resource) =>
              JSON.stringify(resolveStatefulReference(resource, synthesized.statefulTemplate)) ===
              JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] }),
          ),
      )
      .flatMap((statement) => [statement.Action].flat());

  it('deploys every entry file of functions/ as a function that monitoring covers', () => {
    const entryFiles = readdirSync(new URL('../../functions/', import.meta.url))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.replace(/\.ts$/, ''));
    expect(synthesized.stateless.functions.map((fn) => fn.entryName).sort()).toEqual(entryFiles.sort());
    expect(synthesized.stateless.functions.map((fn) => logicalIdOf(fn.function)).sort()).toEqual(
      functions()
        .map(([functionId]) => functionId)
        .sort(),
    );
  });

  it('consumes every job queue and the backfill steps with a visibility timeout of at least six times the consumer timeout', () => {
    const queueIds = [...synthesized.stateful.fetchQueues, synthesized.stateful.backfillSteps].map(({ queue }) =>
      logicalIdOf(queue),
    );
    expect(
      queueMappings()
        .map(({ source }) => source.logicalId)
        .sort(),
    ).toEqual(queueIds.sort());
    for (const { functionId, source } of queueMappings()) {
      const queue = resourceById(synthesized.statefulTemplate, source.logicalId);
      const workerTimeoutSeconds = lambda(functionId).Properties.Timeout as number;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * workerTimeoutSeconds);
    }
  });

  it('reports batch item failures and never lets an SQS poller exceed the reserved concurrency of its consumer beyond the event source minimum of 2', () => {
    for (const { functionId, properties } of queueMappings()) {
      expect(properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const reserved = lambda(functionId).Properties.ReservedConcurrentExecutions as number;
      const { MaximumConcurrency } = properties.ScalingConfig as { MaximumConcurrency: number };
      expect(MaximumConcurrency).toBeGreaterThanOrEqual(2);
      expect(MaximumConcurrency).toBeLessThanOrEqual(Math.max(reserved, 2));
    }
  });

  it('advances backfills one step at a time: reserved concurrency 1, one message per invocation, the event source at its minimum', () => {
    const stepperId = functionIdOf('AdvanceBackfill');
    expect(lambda(stepperId).Properties.ReservedConcurrentExecutions).toBe(1);
    const mappings = queueMappings().filter(({ functionId }) => functionId === stepperId);
    expect(mappings.map(({ source }) => source.logicalId)).toEqual([
      logicalIdOf(synthesized.stateful.backfillSteps.queue),
    ]);
    expect(mappings[0]?.properties).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('reads the JobGroups stream from its oldest record with partial batch responses and bounded retries', () => {
    const streamMappings = eventSourceMappings().filter(({ source }) => source.attribute === 'StreamArn');
    expect(streamMappings.map(({ source }) => source.logicalId)).toEqual([
      logicalIdOf(synthesized.stateful.jobGroups.table),
    ]);
    for (const { functionId, properties } of streamMappings) {
      expect(functionId).toBe(functionIdOf('SyncSchedules'));
      expect(properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        StartingPosition: 'TRIM_HORIZON',
      });
      expect(properties.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
      expect(properties.MaximumRetryAttempts).toBeLessThanOrEqual(10);
      expect(properties.BatchSize).toBeLessThanOrEqual(100);
    }
  });

  it('runs every function on Node.js 24 arm64 and logs to its own log group with a retention', () => {
    for (const [, fn] of functions()) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      const logGroupId = referencedLogicalId((fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
      const logGroup = resourceById(synthesized.statelessTemplate, logGroupId ?? '');
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('bundles every function as a minified ESM file with a source map that the runtime applies', () => {
    for (const [functionId, fn] of functions()) {
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(environmentOf(functionId).NODE_OPTIONS).toBe('--enable-source-maps');
      const assetHash = (fn.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const bundle = join(synthesized.outdir, `asset.${assetHash}`);
      expect(readFileSync(join(bundle, 'index.mjs'), 'utf8')).toMatch(
        /^import \{ createRequire as \w+ \} from 'node:module';/,
      );
      expect(existsSync(join(bundle, 'index.mjs.map'))).toBe(true);
    }
  });

  it('cold-starts every bundle with exactly the environment it is deployed with', () => {
    for (const [functionId, fn] of functions()) {
      // Deploy-time values (ARNs, names, URLs) become placeholders: module scope only reads config and builds clients.
      const deployed = Object.fromEntries(
        Object.entries(environmentOf(functionId)).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : `https://deployed.example/${name}`,
        ]),
      );
      const assetHash = (fn.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const bundle = pathToFileURL(join(synthesized.outdir, `asset.${assetHash}`, 'index.mjs')).href;
      const imported = () =>
        execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(bundle)})`], {
          env: { ...deployed, AWS_REGION: 'ap-northeast-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' },
          stdio: 'pipe',
        });
      expect(imported, functionId).not.toThrow();
    }
  });

  it('serves the admin API from a Function URL with IAM auth and outputs its URL', () => {
    const urls = resourcesOf(synthesized.statelessTemplate, 'AWS::Lambda::Url');
    expect(urls.map(([, url]) => url.Properties.AuthType)).toEqual(['AWS_IAM']);
    const [urlId, url] = urls[0] ?? [];
    expect(referencedLogicalId(url?.Properties.TargetFunctionArn)).toBe(functionIdOf('HandleAdminRequest'));
    synthesized.statelessTemplate.hasOutput('AdminApiUrl', { Value: { 'Fn::GetAtt': [urlId, 'FunctionUrl'] } });
  });

  it('sends every alarm to the alarm topic', () => {
    const topicId = logicalIdOf(synthesized.stateful.alarmTopic);
    const alarms = resourcesOf(synthesized.statelessTemplate, 'AWS::CloudWatch::Alarm');
    for (const [, alarm] of alarms) {
      const actions = (alarm.Properties.AlarmActions ?? []) as unknown[];
      const targets = actions.map((action) => resolveStatefulReference(action, synthesized.statefulTemplate));
      expect(targets).toContainEqual({ Ref: topicId });
    }
  });

  it("alarms when a dead-letter queue holds a message (the schedules' included) and when any function errs", () => {
    const alarms = resourcesOf(synthesized.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);
    for (const deadLetterQueue of [
      ...[...synthesized.stateful.fetchQueues, synthesized.stateful.backfillSteps].map(
        ({ deadLetterQueue }) => deadLetterQueue,
      ),
      synthesized.stateful.scheduleDeadLetters.queue,
    ]) {
      const queueName = { 'Fn::GetAtt': [logicalIdOf(deadLetterQueue), 'QueueName'] };
      const watching = alarms.filter((alarm) => {
        const dimensions = (alarm.Properties.Dimensions ?? []) as { Value: unknown }[];
        return dimensions.some(
          (dimension) =>
            JSON.stringify(resolveStatefulReference(dimension.Value, synthesized.statefulTemplate)) ===
            JSON.stringify(queueName),
        );
      });
      expect(watching).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            MetricName: 'ApproximateNumberOfMessagesVisible',
            ComparisonOperator: 'GreaterThanThreshold',
            Threshold: 0,
          }),
        }),
      );
    }
    for (const [functionId] of functions()) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            MetricName: 'Errors',
            Namespace: 'AWS/Lambda',
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
            Threshold: 0,
          }),
        }),
      );
    }
  });

  it('alarms on any failed, missed or timed-out run, stalled job, paused data source, unreadable or late group, and a short JPX calendar', () => {
    const expressions = resourcesOf(synthesized.statelessTemplate, 'AWS::CloudWatch::Alarm').flatMap(([, alarm]) =>
      ((alarm.Properties.Metrics ?? []) as { Expression?: string }[]).map((metric) => metric.Expression),
    );
    for (const metricName of [
      'RunsFailed',
      'RunsMissed',
      'RunsTimedOut',
      'JobsStalled',
      'DataSourcePaused',
      'UnreadableGroups',
      'GroupsLate',
      'CalendarCoverageShort',
    ]) {
      expect(expressions).toContain(`SELECT SUM(${metricName}) FROM "moomoo-markets"`);
    }
  });

  it("lets only EventBridge Scheduler of this account assume the scheduler role, to invoke only the dispatcher and send only to the schedules' dead-letter queue", () => {
    const schedulerRoles = resourcesOf(synthesized.statelessTemplate, 'AWS::IAM::Role').filter(([, role]) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    expect(schedulerRoles).not.toEqual([]);
    for (const [roleId, role] of schedulerRoles) {
      expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      });
      const resolved = statementsOfRole(roleId).map((statement) => ({
        ...statement,
        Resource: resolveStatefulReference(statement.Resource, synthesized.statefulTemplate),
      }));
      expect(resolved).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [functionIdOf('DispatchRun'), 'Arn'] },
        },
        {
          Action: 'sqs:SendMessage',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logicalIdOf(synthesized.stateful.scheduleDeadLetters.queue), 'Arn'] },
        },
      ]);
    }
  });

  it("hands the scheduler role, to Scheduler only, the dispatcher ARN and the schedules' dead-letter queue ARN to the functions that write schedules, and to no other", () => {
    const schedulerRoleArn = referencedLogicalId(environmentOf(functionIdOf('SyncSchedules')).SCHEDULER_ROLE_ARN);
    const deadLetterQueueArn = { 'Fn::GetAtt': [logicalIdOf(synthesized.stateful.scheduleDeadLetters.queue), 'Arn'] };
    const writers = ['SyncSchedules', 'ReconcileSchedules'];
    const holders = functions()
      .filter(([functionId]) => 'SCHEDULE_DEAD_LETTER_QUEUE_ARN' in environmentOf(functionId))
      .map(([functionId]) => functionId);
    expect(holders.sort()).toEqual(writers.map(functionIdOf).sort());
    for (const id of writers) {
      const functionId = functionIdOf(id);
      expect(environmentOf(functionId)).toMatchObject({
        SCHEDULE_GROUP_NAME: 'moomoo-job-groups',
        SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [schedulerRoleArn, 'Arn'] },
        DISPATCHER_FUNCTION_ARN: { 'Fn::GetAtt': [functionIdOf('DispatchRun'), 'Arn'] },
      });
      expect(
        resolveStatefulReference(
          environmentOf(functionId).SCHEDULE_DEAD_LETTER_QUEUE_ARN,
          synthesized.statefulTemplate,
        ),
      ).toEqual(deadLetterQueueArn);
      // The function only names the queue in each target; Scheduler sends to it as the scheduler role.
      expect(actionsOn(functionId, logicalIdOf(synthesized.stateful.scheduleDeadLetters.queue))).toEqual([]);
      expect(policyStatementsOf(functionId)).toContainEqual({
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [schedulerRoleArn, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      });
      const scheduleWrites = policyStatementsOf(functionId).find((statement) =>
        [statement.Action].flat().includes('scheduler:CreateSchedule'),
      );
      expect(JSON.stringify(scheduleWrites?.Resource)).toContain(':schedule/moomoo-job-groups/*');
    }
  });

  it('grants each role exactly the Scheduler actions its code calls, on the schedules of our group', () => {
    const schedulerGrants = (id: string): { actions: string[]; resources: string[] }[] =>
      policyStatementsOf(functionIdOf(id))
        .map((statement) => ({
          actions: [statement.Action].flat().filter((action) => action.startsWith('scheduler:')),
          resources: [statement.Resource].flat().map((resource) => JSON.stringify(resource)),
        }))
        .filter(({ actions }) => actions.length > 0);
    const inGroup = expect.stringContaining(':schedule/moomoo-job-groups/*');
    expect(schedulerGrants('SyncSchedules')).toEqual([
      {
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
        resources: [inGroup],
      },
    ]);
    expect(schedulerGrants('ReconcileSchedules')).toEqual(
      expect.arrayContaining([
        {
          actions: [
            'scheduler:CreateSchedule',
            'scheduler:DeleteSchedule',
            'scheduler:GetSchedule',
            'scheduler:UpdateSchedule',
          ],
          resources: [inGroup],
        },
        { actions: ['scheduler:ListSchedules'], resources: ['"*"'] },
      ]),
    );
    expect(schedulerGrants('ReconcileSchedules')).toHaveLength(2);
    for (const id of ['HandleAdminRequest', 'DispatchRun', 'FetchJquantsJob', 'FetchYahooJob']) {
      expect(schedulerGrants(id), id).toEqual([]);
      expect(environmentOf(functionIdOf(id)), id).not.toHaveProperty('SCHEDULE_GROUP_NAME');
    }
  });

  it('grants Resource * only for the actions that support no resource-level permission', () => {
    const wildcards = synthesized.stateless.functions.flatMap((fn) =>
      policyStatementsOf(logicalIdOf(fn.function))
        .filter((statement) => [statement.Resource].flat().includes('*'))
        .map((statement) => `${fn.node.id}: ${[statement.Action].flat().join(' ')}`),
    );
    expect(wildcards.sort()).toEqual([
      'ReconcileSchedules: scheduler:ListSchedules',
      'SyncSchedules: dynamodb:ListStreams',
    ]);
  });

  it('grants each function access to every stateful resource its environment names, but the dead-letter queue it names to Scheduler', () => {
    for (const [functionId] of functions()) {
      const granted = policyStatementsOf(functionId)
        .flatMap((statement) => [statement.Resource].flat())
        .map((resource) => JSON.stringify(resolveStatefulReference(resource, synthesized.statefulTemplate)));
      for (const [name, value] of Object.entries(environmentOf(functionId))) {
        const resolved = resolveStatefulReference(value, synthesized.statefulTemplate);
        if (resolved === value || name === 'SCHEDULE_DEAD_LETTER_QUEUE_ARN') continue;
        const logicalId = referencedLogicalId(resolved);
        const byArn = JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] });
        const byRef = JSON.stringify({ Ref: logicalId });
        expect(granted.includes(byArn) || granted.includes(byRef), `${functionId} may use ${name}`).toBe(true);
      }
    }
  });

  it('lets the admin API read and redrive every dead-letter queue into its job queue', () => {
    const adminId = functionIdOf('HandleAdminRequest');
    for (const { definition, queue, deadLetterQueue } of synthesized.stateful.fetchQueues) {
      expect(actionsOn(adminId, logicalIdOf(deadLetterQueue))).toEqual(
        expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage']),
      );
      expect(actionsOn(adminId, logicalIdOf(queue))).toContain('sqs:SendMessage');
      const environment = environmentOf(adminId);
      expect(resolveStatefulReference(environment[definition.deadLetterEnvVar], synthesized.statefulTemplate)).toEqual({
        Ref: logicalIdOf(deadLetterQueue),
      });
    }
  });

  it("lets the admin API count the messages of every dead-letter queue, and only read the attributes of the backfill steps' and the schedules'", () => {
    const adminId = functionIdOf('HandleAdminRequest');
    const environment = environmentOf(adminId);
    const { fetchQueues, backfillSteps, scheduleDeadLetters } = synthesized.stateful;
    for (const { definition, deadLetterQueue } of fetchQueues) {
      expect(actionsOn(adminId, logicalIdOf(deadLetterQueue)), definition.id).toContain('sqs:GetQueueAttributes');
    }
    for (const [envVar, queue] of [
      ['BACKFILL_DEAD_LETTER_QUEUE_URL', backfillSteps.deadLetterQueue],
      ['SCHEDULE_DEAD_LETTER_QUEUE_URL', scheduleDeadLetters.queue],
    ] as const) {
      expect(resolveStatefulReference(environment[envVar], synthesized.statefulTemplate), envVar).toEqual({
        Ref: logicalIdOf(queue),
      });
      expect(actionsOn(adminId, logicalIdOf(queue)), envVar).toEqual(['sqs:GetQueueAttributes']);
    }
  });

  it("gives no function but the admin API any access to the schedules' dead-letter queue, nor its URL", () => {
    const queueId = logicalIdOf(synthesized.stateful.scheduleDeadLetters.queue);
    for (const [functionId] of functions()) {
      if (functionId === functionIdOf('HandleAdminRequest')) continue;
      expect(actionsOn(functionId, queueId), functionId).toEqual([]);
      expect(environmentOf(functionId), functionId).not.toHaveProperty('SCHEDULE_DEAD_LETTER_QUEUE_URL');
    }
  });

  it("shows the schedules' dead-letter queue, late groups and the JPX calendar's coverage on the dashboard", () => {
    const widgets = dashboardWidgetsOf(synthesized.statelessTemplate);
    const metricsOf = (title: string) => widgets.find((widget) => widget.title === title)?.metrics ?? [];
    expect(metricsOf('Dead letters')).toContainEqual(
      expect.arrayContaining([
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        expect.objectContaining({ label: 'ScheduleDeadLetters' }),
      ]),
    );
    expect(metricsOf('Groups late')).toEqual([
      [expect.objectContaining({ expression: 'SELECT SUM(GroupsLate) FROM "moomoo-markets"' })],
    ]);
    expect(metricsOf('JPX calendar coverage short')).toEqual([
      [expect.objectContaining({ expression: 'SELECT MAX(CalendarCoverageShort) FROM "moomoo-markets"' })],
    ]);
  });

  it('hands BACKFILL_QUEUE_URL, with leave to send, to every function that settles runs or asks for steps, and to no other', () => {
    const queueId = logicalIdOf(synthesized.stateful.backfillSteps.queue);
    // Every function that can settle a run asks for its dependents to be judged; the dispatcher too (skipped ticks).
    const askers = [
      'HandleAdminRequest',
      'ReconcileSchedules',
      'DispatchRun',
      'FetchJquantsJob',
      'FetchYahooJob',
      'AdvanceBackfill',
    ];
    const holders = functions()
      .filter(([functionId]) => 'BACKFILL_QUEUE_URL' in environmentOf(functionId))
      .map(([functionId]) => functionId);
    expect(holders.sort()).toEqual(askers.map(functionIdOf).sort());
    for (const id of askers) {
      const functionId = functionIdOf(id);
      expect(
        resolveStatefulReference(environmentOf(functionId).BACKFILL_QUEUE_URL, synthesized.statefulTemplate),
        id,
      ).toEqual({ Ref: queueId });
      expect(actionsOn(functionId, queueId), id).toContain('sqs:SendMessage');
    }
    const consumers = functions()
      .filter(([functionId]) => actionsOn(functionId, queueId).includes('sqs:ReceiveMessage'))
      .map(([functionId]) => functionId);
    expect(consumers).toEqual([functionIdOf('AdvanceBackfill')]);
  });

  it('lets advance-backfill write only the JobRuns table, read the others, and send to both job queues, never to a dead-letter queue', () => {
    const stepperId = functionIdOf('AdvanceBackfill');
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    for (const { definition, table } of synthesized.stateful.tables) {
      const actions = actionsOn(stepperId, logicalIdOf(table));
      expect(actions, definition.id).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      if (table === synthesized.stateful.jobRuns.table) expect(actions).toEqual(expect.arrayContaining(writes));
      else for (const write of writes) expect(actions, definition.id).not.toContain(write);
    }
    for (const { definition, queue, deadLetterQueue } of synthesized.stateful.fetchQueues) {
      expect(actionsOn(stepperId, logicalIdOf(queue)), definition.id).toContain('sqs:SendMessage');
      expect(actionsOn(stepperId, logicalIdOf(queue)), definition.id).not.toContain('sqs:ReceiveMessage');
      expect(actionsOn(stepperId, logicalIdOf(deadLetterQueue)), definition.id).toEqual([]);
      expect(environmentOf(stepperId), definition.id).not.toHaveProperty(definition.deadLetterEnvVar);
    }
    expect(actionsOn(stepperId, logicalIdOf(synthesized.stateful.backfillSteps.deadLetterQueue))).toEqual([]);
  });

  it('gives the J-Quants API key only to the J-Quants worker and the admin API (credentials check)', () => {
    const holders = functions()
      .filter(([functionId]) => 'JQUANTS_API_KEY_SECRET_ARN' in environmentOf(functionId))
      .map(([functionId]) => functionId)
      .sort();
    expect(holders).toEqual([functionIdOf('FetchJquantsJob'), functionIdOf('HandleAdminRequest')].sort());
  });
});
