import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logicalIdOf,
  resourceById,
  resourcesOf,
  type SynthesizedApp,
  synthesizeApp,
} from '#test/infra/synthesize-app.ts';

/** SQS keeps a message at most 14 days. */
const sqsMaximumRetentionSeconds = 14 * 86_400;

describe('stateful stack', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = synthesizeApp();
  });
  afterAll(() => synthesized.dispose());

  it('streams new and old images from the JobGroups table', () => {
    const table = resourceById(synthesized.statefulTemplate, logicalIdOf(synthesized.stateful.jobGroups.table));
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('enables point-in-time recovery and on-demand billing on every table', () => {
    const tables = resourcesOf(synthesized.statefulTemplate, 'AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id).sort()).toEqual(
      synthesized.stateful.tables.map(({ table }) => logicalIdOf(table)).sort(),
    );
    for (const [, table] of tables) {
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    }
  });

  it('protects and retains every table that holds data which cannot be re-fetched', () => {
    const protectedTables = synthesized.stateful.tables.filter(({ definition }) => definition.protectFromDeletion);
    expect(protectedTables.map(({ definition }) => definition.id)).toEqual(
      expect.arrayContaining(['JobGroups', 'JobRuns', 'MarketData']),
    );
    for (const { table } of protectedTables) {
      const resource = resourceById(synthesized.statefulTemplate, logicalIdOf(table));
      expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('retains every table, the DataSources table included, and both dead-letter queues when the stack is deleted', () => {
    const retained = [
      ...synthesized.stateful.tables.map(({ table }) => table),
      ...synthesized.stateful.fetchQueues.map(({ deadLetterQueue }) => deadLetterQueue),
    ];
    expect(retained).toContain(synthesized.stateful.dataSources.table);
    expect(retained).toHaveLength(synthesized.stateful.tables.length + 2);
    for (const construct of retained) {
      const resource = resourceById(synthesized.statefulTemplate, logicalIdOf(construct));
      expect(resource.DeletionPolicy, logicalIdOf(construct)).toBe('Retain');
      expect(resource.UpdateReplacePolicy, logicalIdOf(construct)).toBe('Retain');
    }
  });

  it('declares each table index with the keys of its definition', () => {
    for (const { definition, table } of synthesized.stateful.tables) {
      const resource = resourceById(synthesized.statefulTemplate, logicalIdOf(table));
      const indexNames = ((resource.Properties.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]).map(
        (index) => index.IndexName,
      );
      expect(indexNames).toEqual(definition.indexes.map((index) => index.indexName));
    }
  });

  it('dead-letters each job queue to its own DLQ with a high maxReceiveCount', () => {
    for (const { queue, deadLetterQueue } of synthesized.stateful.fetchQueues) {
      const resource = resourceById(synthesized.statefulTemplate, logicalIdOf(queue));
      const redrivePolicy = resource.Properties.RedrivePolicy as {
        deadLetterTargetArn: unknown;
        maxReceiveCount: number;
      };
      expect(redrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(deadLetterQueue), 'Arn'] });
      expect(redrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(10);
    }
  });

  it('dead-letters backfill steps to their own DLQ after a handful of receives', () => {
    // A step is idempotent and the reconciler asks every open backfill for one each pass: a step that keeps failing
    // is set aside soon, and nothing is lost.
    const { queue, deadLetterQueue } = synthesized.stateful.backfillSteps;
    const resource = resourceById(synthesized.statefulTemplate, logicalIdOf(queue));
    const redrivePolicy = resource.Properties.RedrivePolicy as {
      deadLetterTargetArn: unknown;
      maxReceiveCount: number;
    };
    expect(redrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(deadLetterQueue), 'Arn'] });
    expect(redrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(3);
    expect(redrivePolicy.maxReceiveCount).toBeLessThanOrEqual(10);
    const fetchDeadLetterQueues = synthesized.stateful.fetchQueues.map(({ deadLetterQueue: fetchDlq }) => fetchDlq);
    expect(fetchDeadLetterQueues).not.toContain(deadLetterQueue);
  });

  it('keeps jobs and backfill steps for the SQS maximum and dead letters at least as long', () => {
    // SQS expires a message from its original enqueue time, also after it moved to the DLQ.
    for (const { queue, deadLetterQueue } of [
      ...synthesized.stateful.fetchQueues,
      synthesized.stateful.backfillSteps,
    ]) {
      const jobRetention = resourceById(synthesized.statefulTemplate, logicalIdOf(queue)).Properties
        .MessageRetentionPeriod;
      const deadLetterRetention = resourceById(synthesized.statefulTemplate, logicalIdOf(deadLetterQueue)).Properties
        .MessageRetentionPeriod as number;
      expect(jobRetention).toBe(sqsMaximumRetentionSeconds);
      expect(deadLetterRetention).toBeGreaterThanOrEqual(sqsMaximumRetentionSeconds);
    }
  });

  it('encrypts every queue and denies it any request without TLS', () => {
    const queues = resourcesOf(synthesized.statefulTemplate, 'AWS::SQS::Queue');
    const policies = resourcesOf(synthesized.statefulTemplate, 'AWS::SQS::QueuePolicy');
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const policy = policies.find(
        ([, candidate]) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: id }]),
      );
      expect(JSON.stringify(policy?.[1].Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('encrypts the alarm topic with a rotating customer key that CloudWatch may use', () => {
    const topic = resourceById(synthesized.statefulTemplate, logicalIdOf(synthesized.stateful.alarmTopic));
    const keyId = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = resourceById(synthesized.statefulTemplate, keyId);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    synthesized.statefulTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('names no table or queue physically', () => {
    for (const [, table] of resourcesOf(synthesized.statefulTemplate, 'AWS::DynamoDB::Table')) {
      expect(table.Properties).not.toHaveProperty('TableName');
    }
    for (const [, queue] of resourcesOf(synthesized.statefulTemplate, 'AWS::SQS::Queue')) {
      expect(queue.Properties).not.toHaveProperty('QueueName');
    }
  });

  it('creates the schedule group the design names', () => {
    synthesized.statefulTemplate.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'moomoo-job-groups' });
  });

  it('creates the J-Quants API-key secret empty, for the operator to fill', () => {
    const secret = resourceById(synthesized.statefulTemplate, logicalIdOf(synthesized.stateful.jquantsApiKey.secret));
    expect(secret.Properties).not.toHaveProperty('SecretString');
    expect(secret.Properties).not.toHaveProperty('GenerateSecretString');
    expect(secret.Properties.Description).toMatch(/J-Quants API V2 key/);
  });

  it('outputs every table name and queue URL', () => {
    const outputs = Object.keys(synthesized.statefulTemplate.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'JobGroupsTableName',
        'JobRunsTableName',
        'MarketDataTableName',
        'DataSourcesTableName',
        'JquantsJobsQueueUrl',
        'JquantsJobsDeadLettersQueueUrl',
        'YahooJobsQueueUrl',
        'YahooJobsDeadLettersQueueUrl',
        'BackfillStepsQueueUrl',
        'BackfillStepsDeadLettersQueueUrl',
        'ScheduleDeadLettersQueueUrl',
      ]),
    );
  });

  it('outputs the ARN of the alarm topic', () => {
    synthesized.statefulTemplate.hasOutput('AlarmTopicArn', {
      Value: { Ref: logicalIdOf(synthesized.stateful.alarmTopic) },
    });
  });

  it('subscribes nobody to the alarm topic without -c alertEmail', () => {
    expect(resourcesOf(synthesized.statefulTemplate, 'AWS::SNS::Subscription')).toEqual([]);
  });

  it("keeps the schedules' dead-letter queue apart, a standard queue holding undelivered ticks for the SQS maximum", () => {
    const queue = resourceById(
      synthesized.statefulTemplate,
      logicalIdOf(synthesized.stateful.scheduleDeadLetters.queue),
    );
    // EventBridge Scheduler sends dead letters only to a standard queue.
    expect(queue.Properties).not.toHaveProperty('FifoQueue');
    expect(queue.Properties.MessageRetentionPeriod).toBe(sqsMaximumRetentionSeconds);
    const otherDeadLetterQueues = [...synthesized.stateful.fetchQueues, synthesized.stateful.backfillSteps].map(
      ({ deadLetterQueue }) => deadLetterQueue,
    );
    expect(otherDeadLetterQueues).not.toContain(synthesized.stateful.scheduleDeadLetters.queue);
    for (const [, other] of resourcesOf(synthesized.statefulTemplate, 'AWS::SQS::Queue')) {
      expect(JSON.stringify(other.Properties.RedrivePolicy ?? {})).not.toContain(
        logicalIdOf(synthesized.stateful.scheduleDeadLetters.queue),
      );
    }
  });
});

describe('stateful stack deployed with -c alertEmail', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = synthesizeApp({ context: { alertEmail: 'ops@example.com' }, bundle: false });
  });
  afterAll(() => synthesized.dispose());

  it('subscribes that address to the alarm topic by email', () => {
    expect(resourcesOf(synthesized.statefulTemplate, 'AWS::SNS::Subscription').map(([, resource]) => resource)).toEqual(
      [
        expect.objectContaining({
          Properties: {
            Protocol: 'email',
            Endpoint: 'ops@example.com',
            TopicArn: { Ref: logicalIdOf(synthesized.stateful.alarmTopic) },
          },
        }),
      ],
    );
  });

  it('still outputs the topic ARN', () => {
    synthesized.statefulTemplate.hasOutput('AlarmTopicArn', {
      Value: { Ref: logicalIdOf(synthesized.stateful.alarmTopic) },
    });
  });

  it('refuses a value that is not one email address, naming the option', () => {
    for (const alertEmail of ['ops', 'ops@example.com,dev@example.com', 42]) {
      expect(() => synthesizeApp({ context: { alertEmail }, bundle: false }), String(alertEmail)).toThrow(
        /-c alertEmail must be one email address/,
      );
    }
  });
});
