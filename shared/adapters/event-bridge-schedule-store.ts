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
  /** The role EventBridge Scheduler assumes to invoke the dispatcher. */
  readonly roleArn: string;
}

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

  constructor(options: EventBridgeScheduleStoreOptions) {
    this.#client = options.client;
    this.#groupName = options.groupName;
    this.#targetArn = options.targetArn;
    this.#roleArn = options.roleArn;
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
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
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
      targetMatches:
        target?.Arn === this.#targetArn &&
        target.RoleArn === this.#roleArn &&
        target.Input === scheduleTargetInput(groupId),
    };
  }
}
