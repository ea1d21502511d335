import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { Monitoring } from '#infra/constructs/monitoring.ts';
import { MoomooFunction } from '#infra/constructs/moomoo-function.ts';
import { minimumEventSourceConcurrency } from '#infra/resources.ts';
import type { FetchQueueResource, StatefulResources } from '#infra/stacks/stateful-resources.ts';

/** An SQS event source accepts a maxConcurrency of at most 1000. */
const maximumEventSourceConcurrency = 1000;

/** Props of the stateless stack: the stateful stack's resources. */
export interface StatelessStackProps extends StackProps {
  readonly resources: StatefulResources;
}

/**
 * The functions and their wiring: the admin API (Function URL, IAM auth), the schedule manager on the JobGroups
 * stream, the reconciler, the dispatcher that Scheduler invokes, one fetch worker per data source, the backfill
 * stepper, the dashboard and the alarms. Redeploys freely; it owns no data.
 */
export class StatelessStack extends Stack {
  readonly functions: readonly MoomooFunction[];

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { resources } = props;

    const dispatchRun = new MoomooFunction(this, 'DispatchRun', {
      entryName: 'dispatch-run',
      description: 'Claims a run for a scheduled tick, expands its jobs and sends them to the fetch queues',
      timeout: Duration.minutes(10),
      memorySize: 1024,
    })
      .bindTable(resources.jobGroups, 'read')
      .bindTable(resources.jobRuns, 'readWrite')
      .bindTable(resources.marketData, 'read')
      .bindTable(resources.dataSources, 'read');
    for (const fetchQueue of resources.fetchQueues) dispatchRun.bindQueue(fetchQueue, 'send');
    // A run the dispatcher settles (skipped, or failed before a job ran) asks for its dependents to be judged.
    dispatchRun.bindQueue(resources.backfillSteps, 'send');

    const schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the dispatcher for each job-group schedule',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
    });
    schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [dispatchRun.function.functionArn] }),
    );
    // Scheduler sends an undeliverable tick to the target's dead-letter queue as the schedule's role.
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
    schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [resources.scheduleDeadLetters.queue.queueArn] }),
    );
    const scheduleTarget = {
      schedulerRole,
      dispatcher: dispatchRun.function,
      deadLetters: resources.scheduleDeadLetters,
    };

    const syncSchedules = new MoomooFunction(this, 'SyncSchedules', {
      entryName: 'sync-schedules',
      description: 'Upserts or deletes the schedule of each changed job group (JobGroups stream)',
      timeout: Duration.minutes(1),
    })
      // Each record only names a group; the manager converges its schedule on the group as stored now.
      .bindTable(resources.jobGroups, 'read')
      // convergeGroupSchedule: upsert, or delete when the group is gone; it never reads a schedule.
      .bindScheduleGroup(resources.scheduleGroupName, ['upsert', 'delete'])
      .bindScheduleTarget(scheduleTarget);
    syncSchedules.function.addEventSource(
      new DynamoEventSource(resources.jobGroups.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        // Bounded: a record that keeps failing is skipped and the reconciler repairs the drift.
        retryAttempts: 5,
        reportBatchItemFailures: true,
      }),
    );
    // The event source grants dynamodb:ListStreams in the role's default policy; no other wildcard is there (tested).
    Validations.of(syncSchedules.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The stream event source needs dynamodb:ListStreams, which supports no resource-level permissions.',
    });

    const reconcileSchedules = new MoomooFunction(this, 'ReconcileSchedules', {
      entryName: 'reconcile-schedules',
      description:
        'Repairs schedule drift, records and catches up missed runs, and brings unfinished runs to their end',
      // Room for a catch-up dispatch of a large run besides the repairs.
      timeout: Duration.minutes(4),
    })
      // Resumes groups whose pause has expired.
      .bindTable(resources.jobGroups, 'readWrite')
      .bindTable(resources.jobRuns, 'readWrite')
      // A catch-up dispatch expands templates ($listedCodes, business days) and enqueues jobs as the dispatcher does.
      .bindTable(resources.marketData, 'read')
      .bindTable(resources.dataSources, 'read')
      // reconcileSchedules: lists every schedule (reading each), repairs with upsert, deletes orphans.
      .bindScheduleGroup(resources.scheduleGroupName, ['list', 'upsert', 'delete'])
      .bindScheduleTarget(scheduleTarget);
    // The watchdog re-sends overdue job messages and reads the dead-letter queues for messages the queues moved.
    for (const fetchQueue of resources.fetchQueues) {
      reconcileSchedules.bindQueue(fetchQueue, 'send').bindDeadLetterQueue(fetchQueue, 'consume');
    }
    // Asks every open backfill for a step on each pass; a backfill's run may also finish here.
    reconcileSchedules.bindQueue(resources.backfillSteps, 'send');
    new Rule(this, 'ReconcileEveryFiveMinutes', {
      description: 'Runs the schedule reconciler',
      schedule: Schedule.rate(Duration.minutes(5)),
      // A stale tick is worthless: the next one comes five minutes later.
      targets: [
        new LambdaFunction(reconcileSchedules.function, { maxEventAge: Duration.minutes(5), retryAttempts: 2 }),
      ],
    });

    const handleAdminRequest = new MoomooFunction(this, 'HandleAdminRequest', {
      entryName: 'handle-admin-request',
      description: 'Serves the admin API (Function URL, IAM auth)',
      memorySize: 512,
      // The web console (GET /) lies beside the bundle, read only when asked for: API cold starts never load it.
      afterBundling: (inputDir, outputDir) => [`node "${inputDir}/console/build.ts" "${outputDir}/console"`],
    })
      .bindTable(resources.jobGroups, 'readWrite')
      .bindTable(resources.jobRuns, 'readWrite')
      .bindTable(resources.dataSources, 'readWrite')
      .bindTable(resources.marketData, 'read')
      // POST /data-sources/jquants/check calls J-Quants with the key.
      .bindSecret(resources.jquantsApiKey);
    // Run-now dispatches a manual run itself, so the admin API sends job messages like the dispatcher; it also
    // reads and redrives the dead-letter queues (receive, hide, delete) back into the job queues.
    for (const fetchQueue of resources.fetchQueues) {
      handleAdminRequest.bindQueue(fetchQueue, 'send').bindDeadLetterQueue(fetchQueue, 'consume');
    }
    // Starting a backfill asks for its first step.
    handleAdminRequest.bindQueue(resources.backfillSteps, 'send');
    // GET /alerts counts the messages of every dead-letter queue (the job queues' are readable through `consume`).
    handleAdminRequest
      .bindDeadLetterQueue(resources.backfillSteps, 'inspect')
      .bindDeadLetterQueue(resources.scheduleDeadLetters, 'inspect');
    const adminUrl = handleAdminRequest.function.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });

    const fetchWorkers = resources.fetchQueues.map((fetchQueue) => this.createFetchWorker(fetchQueue, resources));
    const advanceBackfill = this.createBackfillStepper(resources);

    this.functions = [
      handleAdminRequest,
      syncSchedules,
      reconcileSchedules,
      dispatchRun,
      ...fetchWorkers,
      advanceBackfill,
    ];
    new Monitoring(this, 'Monitoring', {
      functions: this.functions,
      fetchQueues: resources.fetchQueues,
      backfillSteps: resources.backfillSteps,
      scheduleDeadLetters: resources.scheduleDeadLetters,
      alarmTopic: resources.alarmTopic,
    });

    new CfnOutput(this, 'AdminApiUrl', { value: adminUrl.url, description: 'Admin API (sign requests with SigV4)' });
  }

  private createFetchWorker(fetchQueue: FetchQueueResource, resources: StatefulResources): MoomooFunction {
    const { definition } = fetchQueue;
    const name = definition.dataSource.charAt(0).toUpperCase() + definition.dataSource.slice(1);
    const worker = new MoomooFunction(this, `Fetch${name}Job`, {
      entryName: `fetch-${definition.dataSource}-job`,
      description: `Fetches ${definition.dataSource} jobs from the ${definition.id} queue`,
      timeout: Duration.seconds(definition.workerTimeoutSeconds),
      reservedConcurrentExecutions: definition.workerReservedConcurrency,
      memorySize: 512,
    })
      .bindQueue(fetchQueue, 'consume')
      .bindDeadLetterQueue(fetchQueue, 'send')
      .bindTable(resources.marketData, 'readWrite')
      .bindTable(resources.jobRuns, 'readWrite')
      .bindTable(resources.dataSources, 'readWrite')
      // A backfill's run that finishes here asks for the backfill's next step.
      .bindQueue(resources.backfillSteps, 'send');
    if (definition.dataSource === 'jquants') worker.bindSecret(resources.jquantsApiKey);
    worker.function.addEventSource(
      new SqsEventSource(fetchQueue.queue, {
        batchSize: definition.batchSize,
        reportBatchItemFailures: true,
        // Above the reserved concurrency the poller would pull batches only to have them throttled.
        maxConcurrency: Math.min(definition.workerReservedConcurrency, maximumEventSourceConcurrency),
      }),
    );
    return worker;
  }

  /**
   * advance-backfill: takes backfills one step at a time from their queue. A step plans a backfill's business dates,
   * dispatches its next runs as the dispatcher does (in-process), and counts in the runs that finished.
   */
  private createBackfillStepper(resources: StatefulResources): MoomooFunction {
    const { backfillSteps } = resources;
    const { definition } = backfillSteps;
    const stepper = new MoomooFunction(this, 'AdvanceBackfill', {
      entryName: 'advance-backfill',
      description:
        'Advances backfills one step at a time: plans the business dates, dispatches the next runs, counts finished ones',
      timeout: Duration.seconds(definition.workerTimeoutSeconds),
      // One step at a time, whichever backfill it advances: this, not the event source, is what guarantees it.
      reservedConcurrentExecutions: definition.workerReservedConcurrency,
      // Expands templates over the listed codes and plans runs, as the dispatcher does.
      memorySize: 1024,
    })
      .bindTable(resources.jobGroups, 'read')
      .bindTable(resources.jobRuns, 'readWrite')
      .bindTable(resources.marketData, 'read')
      .bindTable(resources.dataSources, 'read')
      .bindQueue(backfillSteps, 'consume')
      // A step that has more to do asks for the next one itself.
      .bindQueue(backfillSteps, 'send');
    for (const fetchQueue of resources.fetchQueues) stepper.bindQueue(fetchQueue, 'send');
    stepper.function.addEventSource(
      new SqsEventSource(backfillSteps.queue, {
        batchSize: definition.batchSize,
        reportBatchItemFailures: true,
        // The event source's MaximumConcurrency cannot go below 2 (Lambda's ScalingConfig takes 2 to 1000, and CDK
        // rejects less), one above the reserved concurrency. Set to 2 rather than left unset (Lambda would start with
        // 5 concurrent batches and scale up), it pulls at most one more step while one runs. That invocation is
        // throttled and Lambda retries it while the message stays invisible, which is why the queue's visibility is
        // 6 × the function's timeout (AWS's advice for exactly this). Should a step be dead-lettered all the same,
        // nothing is lost: the reconciler asks every open backfill for a step on each pass.
        maxConcurrency: Math.max(definition.workerReservedConcurrency, minimumEventSourceConcurrency),
      }),
    );
    return stepper;
  }
}
