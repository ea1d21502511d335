import { maxAttemptsLimit } from '#shared/domain/job-group.ts';

/**
 * The stateful resources of moomoo-markets as plain data: the one definition that the CDK stateful stack builds
 * and that the local sandbox provisions into the emulator, so the two cannot drift.
 *
 * Physical names are never fixed here: CDK generates them, the sandbox derives them from a prefix.
 */

/** A DynamoDB attribute used in a key. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/** A global secondary index (projection ALL). */
export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

/** A DynamoDB table, on-demand billing. */
export interface TableDefinition {
  /** CDK construct id; also the base of the sandbox's physical name. */
  readonly id: string;
  /** Environment variable that carries the table's name into a function (`…_TABLE_NAME`). */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** DynamoDB stream view, when the table feeds a function. */
  readonly stream?: 'NEW_AND_OLD_IMAGES';
  /** Attribute holding an expiry in epoch seconds, when items expire. */
  readonly timeToLiveAttribute?: string;
  /**
   * Holds data that cannot be rebuilt by re-fetching (deletion protection on). Every table is retained when the
   * stack is deleted, whatever this says.
   */
  readonly protectFromDeletion: boolean;
}

export const jobGroupsTable: TableDefinition = {
  id: 'JobGroups',
  envVar: 'JOB_GROUPS_TABLE_NAME',
  partitionKey: { name: 'id', type: 'S' },
  indexes: [],
  stream: 'NEW_AND_OLD_IMAGES',
  protectFromDeletion: true,
};

export const jobRunsTable: TableDefinition = {
  id: 'JobRuns',
  envVar: 'JOB_RUNS_TABLE_NAME',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [
    {
      indexName: 'runsByGroup',
      partitionKey: { name: 'groupId', type: 'S' },
      sortKey: { name: 'runSortKey', type: 'S' },
    },
    // Sparse: only unfinished runs carry `openRunsKey`, so the watchdog reads just them, whatever their group.
    {
      indexName: 'openRuns',
      partitionKey: { name: 'openRunsKey', type: 'S' },
      sortKey: { name: 'runSortKey', type: 'S' },
    },
    // A group's runs by business date (`<date>#<runId>`): dependencies and backfills look up the runs of a date.
    {
      indexName: 'runsByDate',
      partitionKey: { name: 'groupId', type: 'S' },
      sortKey: { name: 'runDateKey', type: 'S' },
    },
  ],
  protectFromDeletion: true,
};

export const marketDataTable: TableDefinition = {
  id: 'MarketData',
  envVar: 'MARKET_DATA_TABLE_NAME',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [
    {
      indexName: 'rowsByDate',
      partitionKey: { name: 'datePk', type: 'S' },
      sortKey: { name: 'dateSk', type: 'S' },
    },
  ],
  protectFromDeletion: true,
};

/**
 * Data-source settings (plan, rate limit, health) and the shared token buckets. Retained when the stack is deleted
 * like every table: the plans and limits are operators' settings.
 */
export const dataSourcesTable: TableDefinition = {
  id: 'DataSources',
  envVar: 'DATA_SOURCES_TABLE_NAME',
  partitionKey: { name: 'pk', type: 'S' },
  indexes: [],
  protectFromDeletion: false,
};

export const tables = [jobGroupsTable, jobRunsTable, marketDataTable, dataSourcesTable] as const;

/** The data sources, each with its own job queue and dead-letter queue. */
export const dataSourceIds = ['jquants', 'yahoo'] as const;
export type DataSourceId = (typeof dataSourceIds)[number];

/** A queue, its dead-letter queue and the Lambda that consumes it through an SQS event source. */
export interface QueueDefinition {
  /** CDK construct id of the queue; its DLQ is `${id}DeadLetters`. */
  readonly id: string;
  /** Environment variable with the queue URL (`…_QUEUE_URL`). */
  readonly envVar: string;
  /** Environment variable with the dead-letter queue URL. */
  readonly deadLetterEnvVar: string;
  /** The consumer's Lambda timeout; the queue's visibility timeout is 6 × this (`visibilityTimeoutSeconds`). */
  readonly workerTimeoutSeconds: number;
  /** Reserved concurrency of the consumer. */
  readonly workerReservedConcurrency: number;
  /** Event source batch size. */
  readonly batchSize: number;
  /** Receives after which SQS moves a message to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** A data source's fetch worker and the queue that feeds it. */
export interface FetchQueueDefinition extends QueueDefinition {
  readonly dataSource: DataSourceId;
  /**
   * Worker Lambda timeout; the queue's visibility timeout is 6 × this, and a job whose worker crashed is delivered
   * again once it passes (docs/decisions.md, "A crashed job runs again within 3 minutes").
   */
  readonly workerTimeoutSeconds: number;
  /** Reserved concurrency of the worker; the event source's maxConcurrency never exceeds it. */
  readonly workerReservedConcurrency: number;
  /**
   * SQS redrive safety net only: the application counts attempts (`attemptsMade`) and dead-letters exhausted
   * jobs itself, so throttled or deferred deliveries must never reach this. It stays above the most attempts a job
   * may have plus room for deliveries that crashed or found their job held.
   */
  readonly maxReceiveCount: number;
}

/** SQS event sources accept a maxConcurrency of 2 to 1000. */
export const minimumEventSourceConcurrency = 2;

/** Deliveries beyond the most attempts a job may have that the redrive safety net allows for crashes. */
export const crashDeliveryMargin = 30;

/**
 * A worker invocation's time limit. Visibility is 6 × this (Lambda's guidance for SQS event sources), so a crashed
 * invocation's messages come back within 3 minutes; an attempt that needs longer goes on from its checkpoint.
 */
const workerTimeoutSeconds = 25;

export const fetchQueues: readonly FetchQueueDefinition[] = [
  {
    dataSource: 'jquants',
    id: 'JquantsJobs',
    envVar: 'JQUANTS_QUEUE_URL',
    deadLetterEnvVar: 'JQUANTS_DEAD_LETTER_QUEUE_URL',
    workerTimeoutSeconds,
    workerReservedConcurrency: 4,
    batchSize: 5,
    maxReceiveCount: maxAttemptsLimit + crashDeliveryMargin,
  },
  {
    dataSource: 'yahoo',
    id: 'YahooJobs',
    envVar: 'YAHOO_QUEUE_URL',
    deadLetterEnvVar: 'YAHOO_DEAD_LETTER_QUEUE_URL',
    workerTimeoutSeconds,
    workerReservedConcurrency: minimumEventSourceConcurrency,
    batchSize: 5,
    maxReceiveCount: maxAttemptsLimit + crashDeliveryMargin,
  },
];

/**
 * The fetch queues with another worker time limit, visibility following it: tests of crash recovery run on short
 * limits through the same definitions (the sandbox's `workerTimeoutSeconds`). Deployed stacks never use this.
 */
export function withWorkerTimeout(
  queues: readonly FetchQueueDefinition[],
  seconds: number | undefined,
): readonly FetchQueueDefinition[] {
  return seconds === undefined ? queues : queues.map((queue) => ({ ...queue, workerTimeoutSeconds: seconds }));
}

/** Visibility timeout of a queue: AWS advises at least 6 × the consumer's timeout. */
export function visibilityTimeoutSeconds(queue: QueueDefinition): number {
  return queue.workerTimeoutSeconds * 6;
}

/**
 * The queue of backfill steps (`{ backfillId }`), consumed by `advance-backfill` one step at a time: the admin API
 * asks for a step when a backfill starts, each of its runs when it finishes, the step itself when it has more to do,
 * and the reconciler for every open backfill on each pass.
 */
export const backfillStepsQueue: QueueDefinition = {
  id: 'BackfillSteps',
  envVar: 'BACKFILL_QUEUE_URL',
  deadLetterEnvVar: 'BACKFILL_DEAD_LETTER_QUEUE_URL',
  // A step does bounded work: it dispatches the dates that keep about a minute of the plan's requests busy, or
  // records a few dozen dates, and the next step goes on from what the backfill recorded.
  workerTimeoutSeconds: 120,
  // Steps run one at a time, whichever backfill they advance: each reads where its backfill stands, then records
  // what it did, and relies on no other step doing the same meanwhile.
  workerReservedConcurrency: 1,
  batchSize: 1,
  // A step is idempotent and the reconciler asks every open backfill for one every 5 minutes, so a step that keeps
  // failing is set aside after a handful of receives: nothing is lost, and its letter says which backfill is stuck.
  maxReceiveCount: 5,
};

/** A dead-letter queue that no queue of ours redrives to: another service sends it what it could not deliver. */
export interface DeadLetterQueueDefinition {
  /** CDK construct id; also the base of the sandbox's physical name. */
  readonly id: string;
  /** Environment variable with the queue URL (`…_QUEUE_URL`), for functions that read it. */
  readonly envVar: string;
  /** Environment variable with the queue ARN (`…_QUEUE_ARN`), for functions that name it to the sender. */
  readonly arnEnvVar: string;
}

/**
 * The dead-letter queue of every job-group schedule's target (Scheduler `DeadLetterConfig`): a tick that EventBridge
 * Scheduler could not deliver to the dispatcher within the target's retry policy lands here, its input as the body
 * and the error in its message attributes. The functions that write schedules name it in each target; the scheduler
 * role may send to it.
 */
export const scheduleDeadLetterQueue: DeadLetterQueueDefinition = {
  id: 'ScheduleDeadLetters',
  envVar: 'SCHEDULE_DEAD_LETTER_QUEUE_URL',
  arnEnvVar: 'SCHEDULE_DEAD_LETTER_QUEUE_ARN',
};

/** Dead letters are kept for the SQS maximum, so a long weekend never loses one. */
export const deadLetterRetentionDays = 14;

/**
 * Jobs are kept for the SQS maximum too: SQS deletes an expired message without dead-lettering it, and a paused
 * data source may defer its jobs for days. (A dead letter keeps its original enqueue time, so the DLQ's retention
 * must not be shorter than this.)
 */
export const jobRetentionDays = 14;

/** The EventBridge Scheduler group that holds one schedule per job group. */
export const scheduleGroupName = 'moomoo-job-groups';

/** Environment variables of the control plane that are not tables or queues. */
export const env = {
  scheduleGroupName: 'SCHEDULE_GROUP_NAME',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  dispatcherFunctionArn: 'DISPATCHER_FUNCTION_ARN',
  jquantsApiKeySecretArn: 'JQUANTS_API_KEY_SECRET_ARN',
} as const;
