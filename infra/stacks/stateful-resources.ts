import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type {
  DeadLetterQueueDefinition,
  FetchQueueDefinition,
  QueueDefinition,
  TableDefinition,
} from '#infra/resources.ts';

/** A deployed table paired with its definition, so a binding grants and configures the same table. */
export interface TableResource {
  readonly definition: TableDefinition;
  readonly table: ITable;
}

/** A queue and its dead-letter queue paired with their definition, so a binding grants and configures the same queue. */
export interface QueueResource {
  readonly definition: QueueDefinition;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** A data source's job queue and dead-letter queue paired with their definition. */
export interface FetchQueueResource extends QueueResource {
  readonly definition: FetchQueueDefinition;
}

/** A dead-letter queue that another service sends to, paired with its definition. */
export interface DeadLetterQueueResource {
  readonly definition: DeadLetterQueueDefinition;
  readonly queue: IQueue;
}

/** A secret paired with the environment variable that carries its ARN. */
export interface SecretResource {
  readonly envVar: string;
  readonly secret: ISecret;
}

/** What the stateless stack needs from the stateful one. */
export interface StatefulResources {
  readonly jobGroups: TableResource;
  readonly jobRuns: TableResource;
  readonly marketData: TableResource;
  readonly dataSources: TableResource;
  /** One per entry of `fetchQueues`, in the same order. */
  readonly fetchQueues: readonly FetchQueueResource[];
  /** The queue of backfill steps, consumed one step at a time by advance-backfill. */
  readonly backfillSteps: QueueResource;
  /** The EventBridge Scheduler group holding one schedule per job group. */
  readonly scheduleGroupName: string;
  /** Where Scheduler sends a tick it could not deliver to the dispatcher (every schedule's `DeadLetterConfig`). */
  readonly scheduleDeadLetters: DeadLetterQueueResource;
  readonly jquantsApiKey: SecretResource;
  /** Every alarm notifies this topic. */
  readonly alarmTopic: ITopic;
}
