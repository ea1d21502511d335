import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  paginateListSchedules,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { GroupSchedule, ScheduleStore, StoredGroupSchedule } from '#shared/ports/schedule-store.ts';

/** Options of the EventBridge Scheduler store. */
export interface EventBridgeScheduleStoreOptions {
  readonly client: SchedulerClient;
  /** The schedule group holding one schedule per job group. */
  readonly groupName: string;
  /** The dispatcher function every schedule invokes. */
  readonly targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke the dispatcher (and to send to the dead-letter queue). */
  readonly roleArn: string;
  /** The SQS queue that receives a tick Scheduler could not deliver (the target's `DeadLetterConfig`). */
  readonly deadLetterQueueArn: string;
}

/**
 * How long and how often EventBridge Scheduler retries a tick it could not deliver to the dispatcher, before it
 * sends the tick to the dead-letter queue. Scheduler retries only failures to invoke (throttling, a missing function
 * or permission); the dispatcher's own errors are Lambda's asynchronous retries. An hour is plenty: the reconciler
 * judges every fire time that has no run 15 minutes after it (recorded missed, or dispatched late under the group's
 * catch-up policy), so a tick delivered later only finds its run taken. Five retries with Scheduler's exponential
 * backoff ride out a throttle or a deploy in progress; a failure that outlasts them is one an operator must fix, and
 * the dead-letter queue's alarm says so within the hour instead of after the defaults' 24 hours and 185 retries.
 */
export const scheduleTargetRetryPolicy = {
  MaximumEventAgeInSeconds: 3600,
  MaximumRetryAttempts: 5,
} as const;

/**
 * The dispatcher's input. `<aws.scheduler.scheduled-time>` is substituted by EventBridge Scheduler with the tick's
 * scheduled time, which (unlike the execution id) stays the same across its delivery retries.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
 */
export function scheduleTargetInput(groupId: string): string {
  return JSON.stringify({ groupId, scheduledTime: '<aws.scheduler.scheduled-time>' });
}

/**
 * ScheduleStore on EventBridge Scheduler. Every upsert sends the full definition: UpdateSchedule replaces all
 * fields, and an omitted one (the state, the retry policy) would silently fall back to a default.
 */
export class EventBridgeScheduleStore implements ScheduleStore {
  readonly #client: SchedulerClient;
  readonly #groupName: string;
  readonly #targetArn: string;
  readonly #roleArn: string;
  readonly #deadLetterQueueArn: string;

  constructor(options: EventBridgeScheduleStoreOptions) {
    this.#client = options.client;
    this.#groupName = options.groupName;
    this.#targetArn = options.targetArn;
    this.#roleArn = options.roleArn;
    this.#deadLetterQueueArn = options.deadLetterQueueArn;
  }

  async upsert(schedule: GroupSchedule): Promise<void> {
    const definition = this.#definitionOf(schedule);
    try {
      await this.#client.send(new UpdateScheduleCommand(definition));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await this.#client.send(new CreateScheduleCommand(definition));
      } catch (createError) {
        // Another writer created it between our update and create: replace theirs with ours.
        if (!(createError instanceof ConflictException)) throw createError;
        await this.#client.send(new UpdateScheduleCommand(definition));
      }
    }
  }

  async delete(groupId: string): Promise<boolean> {
    try {
      await this.#client.send(new DeleteScheduleCommand({ Name: groupId, GroupName: this.#groupName }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  async get(groupId: string): Promise<StoredGroupSchedule | undefined> {
    try {
      const output = await this.#client.send(new GetScheduleCommand({ Name: groupId, GroupName: this.#groupName }));
      return this.#toStored(groupId, output);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async list(): Promise<StoredGroupSchedule[]> {
    const names: string[] = [];
    // List summaries omit most of the definition, so each schedule is read in full.
    for await (const page of paginateListSchedules({ client: this.#client }, { GroupName: this.#groupName })) {
      for (const summary of page.Schedules ?? []) if (summary.Name !== undefined) names.push(summary.Name);
    }
    const schedules = await Promise.all(names.map((name) => this.get(name)));
    return schedules.filter((schedule): schedule is StoredGroupSchedule => schedule !== undefined);
  }

  #definitionOf(schedule: GroupSchedule): CreateScheduleCommandInput {
    return {
      Name: schedule.groupId,
      GroupName: this.#groupName,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      State: schedule.state,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Description: `moomoo-markets job group ${schedule.groupId}`,
      Target: {
        Arn: this.#targetArn,
        RoleArn: this.#roleArn,
        Input: scheduleTargetInput(schedule.groupId),
        RetryPolicy: { ...scheduleTargetRetryPolicy },
        DeadLetterConfig: { Arn: this.#deadLetterQueueArn },
      },
    };
  }

  #toStored(groupId: string, output: GetScheduleCommandOutput): StoredGroupSchedule {
    const target = output.Target;
    return {
      groupId,
      expression: output.ScheduleExpression ?? '',
      timezone: output.ScheduleExpressionTimezone ?? 'UTC',
      state: output.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      // A target written before it had a dead-letter queue and its retry policy counts as drifted, so the
      // reconciler rewrites it.
      targetMatches:
        target?.Arn === this.#targetArn &&
        target.RoleArn === this.#roleArn &&
        target.Input === scheduleTargetInput(groupId) &&
        target.DeadLetterConfig?.Arn === this.#deadLetterQueueArn &&
        target.RetryPolicy?.MaximumEventAgeInSeconds === scheduleTargetRetryPolicy.MaximumEventAgeInSeconds &&
        target.RetryPolicy.MaximumRetryAttempts === scheduleTargetRetryPolicy.MaximumRetryAttempts,
    };
  }
}
