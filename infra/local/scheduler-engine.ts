import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  paginateListSchedules,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type CronSchedule, nextFireTimes, parseCron } from '#shared/domain/cron.ts';
import type { Clock } from '#shared/ports/clock.ts';

/** One firing of one schedule. */
export interface ScheduleFiring {
  readonly scheduleName: string;
  /** The tick's scheduled time, as EventBridge Scheduler writes `<aws.scheduler.scheduled-time>`. */
  readonly scheduledTime: string;
  readonly targetArn: string;
  readonly payload: unknown;
  /** The schedule's target `RetryPolicy.MaximumRetryAttempts` (AWS's default: 185). */
  readonly maximumRetryAttempts: number;
  /** The target's `DeadLetterConfig.Arn`: where a tick that cannot be delivered goes. */
  readonly deadLetterArn?: string;
  /** The raw input, as the dead-letter message's body. */
  readonly input: string;
}

/**
 * The target cannot be reached at all (no such function, no permission): EventBridge Scheduler's own delivery
 * failure, retried under the target's retry policy and then sent to its dead-letter queue. Any other error is the
 * function's own, which Lambda's asynchronous invocation retries twice.
 */
export class UndeliverableError extends Error {
  override readonly name = 'UndeliverableError';
}

/** Options of the local scheduler engine. */
export interface SchedulerEngineOptions {
  readonly client: SchedulerClient;
  readonly groupName: string;
  readonly clock: Clock;
  /** Sends a tick that cannot be delivered to the target's dead-letter queue. */
  readonly sqs: Pick<SQSClient, 'send'>;
  /**
   * Invokes a target the way Lambda's asynchronous invoke would (the engine retries a failure twice), or throws
   * `UndeliverableError` when there is no target to invoke.
   */
  readonly invoke: (targetArn: string, payload: unknown) => Promise<void>;
  readonly onFire?: (firing: ScheduleFiring) => void;
  readonly onError?: (firing: ScheduleFiring, error: unknown) => void;
  readonly onUnsupported?: (scheduleName: string, reason: string) => void;
}

/** Lambda's asynchronous invocation retries a failed call twice. */
const invokeAttempts = 3;
/** Scheduler's retries of a target without a retry policy. */
const defaultMaximumRetryAttempts = 185;

/**
 * Fires the schedules stored in the emulator, which stores them but never fires them. Each `tick` fires every
 * fire time in (previous tick, now] of every ENABLED schedule, in time order, in the schedule's timezone — cron
 * expressions through the same DST rules as the admin API's preview. The clock is injectable, so a test can run a
 * day of schedules in seconds; the sandbox ticks once a second on the wall clock.
 */
export class SchedulerEngine {
  readonly #options: SchedulerEngineOptions;
  #lastTickAt: Date | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(options: SchedulerEngineOptions) {
    this.#options = options;
  }

  /** Fires everything due since the previous tick; the first tick only marks the start. */
  async tick(): Promise<ScheduleFiring[]> {
    const now = this.#options.clock.now();
    const from = this.#lastTickAt ?? now;
    this.#lastTickAt = now;
    if (now.getTime() <= from.getTime()) return [];
    const firings: ScheduleFiring[] = [];
    for (const schedule of await this.#enabledSchedules()) firings.push(...this.#firingsOf(schedule, from, now));
    firings.sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime));
    for (const firing of firings) await this.#fire(firing);
    return firings;
  }

  /** Ticks every `intervalMs` until `stop`. */
  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => {
      if (this.#running !== undefined) return;
      this.#running = this.tick()
        .catch((error: unknown) => this.#options.onUnsupported?.('*', `tick failed: ${String(error)}`))
        .finally(() => {
          this.#running = undefined;
        });
    }, intervalMs);
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  async #enabledSchedules(): Promise<GetScheduleCommandOutput[]> {
    const names: string[] = [];
    const pages = paginateListSchedules({ client: this.#options.client }, { GroupName: this.#options.groupName });
    for await (const page of pages) {
      for (const summary of page.Schedules ?? []) {
        if (summary.Name !== undefined && summary.State !== 'DISABLED') names.push(summary.Name);
      }
    }
    const schedules = await Promise.all(
      names.map((name) =>
        this.#options.client.send(new GetScheduleCommand({ Name: name, GroupName: this.#options.groupName })),
      ),
    );
    // AWS treats a schedule without a state as ENABLED (moto stores null when an update omits it).
    return schedules.filter((schedule) => schedule.State !== 'DISABLED');
  }

  #firingsOf(schedule: GetScheduleCommandOutput, from: Date, to: Date): ScheduleFiring[] {
    const name = schedule.Name ?? '';
    const targetArn = schedule.Target?.Arn;
    const timezone = schedule.ScheduleExpressionTimezone ?? 'UTC';
    let cron: CronSchedule;
    try {
      cron = parseCron(fiveFieldCronOf(schedule.ScheduleExpression ?? ''));
    } catch (error) {
      this.#options.onUnsupported?.(name, `cannot fire '${schedule.ScheduleExpression}': ${String(error)}`);
      return [];
    }
    if (targetArn === undefined) return [];
    const start = latest(from, schedule.StartDate);
    const end = earliest(to, schedule.EndDate);
    const firings: ScheduleFiring[] = [];
    let after = new Date(start.getTime());
    for (;;) {
      const batch = nextFireTimes(cron, timezone, { after, count: 100 });
      for (const instant of batch) {
        if (instant.getTime() > end.getTime()) return firings;
        const scheduledTime = instant.toISOString().replace('.000Z', 'Z');
        const input = inputOf(schedule, scheduledTime);
        firings.push({
          scheduleName: name,
          scheduledTime,
          targetArn,
          payload: parsedInput(input),
          input,
          maximumRetryAttempts: schedule.Target?.RetryPolicy?.MaximumRetryAttempts ?? defaultMaximumRetryAttempts,
          ...(schedule.Target?.DeadLetterConfig?.Arn === undefined
            ? {}
            : { deadLetterArn: schedule.Target.DeadLetterConfig.Arn }),
        });
      }
      const last = batch.at(-1);
      if (last === undefined) return firings;
      after = last;
    }
  }

  /**
   * Delivers one firing: a function error is retried as Lambda's asynchronous invocation does; a target that cannot
   * be reached is retried under the target's retry policy (at once: locally there is nothing to wait for), then
   * sent to its dead-letter queue with the error, as Scheduler does.
   */
  async #fire(firing: ScheduleFiring): Promise<void> {
    this.#options.onFire?.(firing);
    let functionErrors = 0;
    for (let deliveries = 0; ; ) {
      try {
        await this.#options.invoke(firing.targetArn, firing.payload);
        return;
      } catch (error) {
        if (error instanceof UndeliverableError) {
          if (++deliveries <= firing.maximumRetryAttempts) continue;
          this.#options.onError?.(firing, error);
          await this.#deadLetter(firing, error, deliveries - 1);
          return;
        }
        if (++functionErrors < invokeAttempts) continue;
        this.#options.onError?.(firing, error);
        return;
      }
    }
  }

  /** Sends the tick to the target's dead-letter queue, its input as the body and the error as attributes. */
  async #deadLetter(firing: ScheduleFiring, error: Error, retries: number): Promise<void> {
    if (firing.deadLetterArn === undefined) return;
    const [, , , , account, queueName] = firing.deadLetterArn.split(':');
    const { QueueUrl } = await this.#options.sqs.send(
      new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }),
    );
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    await this.#options.sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: firing.input,
        MessageAttributes: {
          ERROR_CODE: attribute('TargetUnreachable'),
          ERROR_MESSAGE: attribute(error.message),
          RETRY_ATTEMPTS: attribute(String(retries)),
          SCHEDULE_NAME: attribute(firing.scheduleName),
          TARGET_ARN: attribute(firing.targetArn),
        },
      }),
    );
  }
}

/**
 * AWS `cron(m h dom mon dow year)` as the 5-field cron our domain parses: `?` is `*`, and day-of-week numbers
 * (AWS: 1-7 from Sunday) shift to 0-6. Years other than `*` are not supported locally.
 */
export function fiveFieldCronOf(expression: string): string {
  const match = /^cron\((.+)\)$/.exec(expression.trim());
  const fields = match?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) throw new Error(`not an AWS cron expression: ${expression}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  if (year !== '*') throw new Error(`years ('${year}') are not supported by the local scheduler`);
  const unquestioned = (field: string): string => (field === '?' ? '*' : field);
  const shiftedDayOfWeek = unquestioned(dayOfWeek).replace(/\d+/g, (day) => String(Number(day) - 1));
  // AWS writes `start/step` where standard cron needs `start-max/step`.
  const openSteps = (field: string, max: number): string =>
    field
      .split(',')
      .map((part) => part.replace(/^(\d+)\/(\d+)$/, `$1-${max}/$2`))
      .join(',');
  return [
    openSteps(minute, 59),
    openSteps(hour, 23),
    openSteps(unquestioned(dayOfMonth), 31),
    openSteps(month, 12),
    openSteps(shiftedDayOfWeek, 6),
  ].join(' ');
}

function inputOf(schedule: GetScheduleCommandOutput, scheduledTime: string): string {
  return (schedule.Target?.Input ?? '{}')
    .replaceAll('<aws.scheduler.scheduled-time>', scheduledTime)
    .replaceAll('<aws.scheduler.schedule-arn>', schedule.Arn ?? '')
    .replaceAll('<aws.scheduler.execution-id>', crypto.randomUUID())
    .replaceAll('<aws.scheduler.attempt-number>', '1');
}

function parsedInput(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function latest(instant: Date, bound: Date | undefined): Date {
  return bound !== undefined && bound.getTime() > instant.getTime() ? bound : instant;
}

function earliest(instant: Date, bound: Date | undefined): Date {
  return bound !== undefined && bound.getTime() < instant.getTime() ? bound : instant;
}
