/** How many messages one queue holds. */
export interface QueueDepth {
  /** The queue's name in alerts, e.g. `jquants dead letters`. */
  readonly queue: string;
  /** Messages waiting or being looked at (SQS `ApproximateNumberOfMessages` + `…NotVisible`). */
  readonly messages: number;
}

/**
 * DeadLetterDepths: how full the dead-letter queues are — each data source's, the backfill steps' and the schedules'
 * (ticks EventBridge Scheduler could not deliver). Guarantees: one entry per queue, in a fixed order; a count may lag
 * a few seconds behind the queue (SQS's are approximate).
 */
export interface DeadLetterDepths {
  depths(): Promise<readonly QueueDepth[]>;
}
