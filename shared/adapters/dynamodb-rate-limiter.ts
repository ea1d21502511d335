import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import {
  grantIntervalMs,
  type HeldSlot,
  isHeldSlotUsable,
  nextGrant,
  type PacingState,
  pauseAfterRateLimitMs,
} from '#shared/domain/rate-pacing.ts';
import type { Clock } from '#shared/ports/clock.ts';
import {
  type AcquireOptions,
  type DataSourceLimits,
  RateLimitDeferral,
  type RateLimiter,
  type RateLimitStatus,
} from '#shared/ports/rate-limiter.ts';

/** Options of the DynamoDB rate limiter. */
export interface DynamoDbRateLimiterOptions {
  readonly client: DynamoDBDocumentClient;
  /** The DataSources table (buckets live beside the settings as `bucket#<source>[#<endpoint bucket>]`). */
  readonly tableName: string;
  readonly clock: Clock;
  /** The current limits of a data source (settings, plan); re-read after `limitsTtlMs`. */
  readonly limitsOf: (dataSource: DataSourceId) => Promise<DataSourceLimits>;
  /** Longest a caller waits for a slot before the job is deferred instead. @default 5_000 */
  readonly maxWaitMs?: number;
  /** Shortest pause after a 429 (J-Quants sends no Retry-After and wants ≥ 60 s). @default 60_000 */
  readonly minimumPauseMs?: number;
  /** @default 60_000 */
  readonly limitsTtlMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const sourceKey = (dataSource: DataSourceId): string => `bucket#${dataSource}`;

/** A bucket item's pacing state. */
function pacingOf(item: Record<string, unknown> | undefined): PacingState {
  return {
    nextGrantAtMs: Number(item?.nextGrantAtMs ?? 0),
    pausedUntilMs: Number(item?.pausedUntilMs ?? 0),
    ...(item?.intervalMs === undefined ? {} : { intervalMs: Number(item.intervalMs) }),
  };
}
const bucketIsFreeNow = '(attribute_not_exists(pausedUntilMs) OR pausedUntilMs <= :now)';
const slotIsStillOurs = '(attribute_not_exists(nextGrantAtMs) OR nextGrantAtMs = :previous)';

/**
 * RateLimiter on DynamoDB: each bucket is one item holding when its next request may go; a caller takes that slot
 * with a conditional write (the slot must still be the one it read, and the source not paused), then sleeps until
 * it. Every worker of every Lambda shares the same items, so together they pace like one client.
 */
export class DynamoDbRateLimiter implements RateLimiter {
  readonly #options: DynamoDbRateLimiterOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #limits = new Map<DataSourceId, { limits: DataSourceLimits; readAtMs: number }>();
  readonly #throttled = new Set<DataSourceId>();

  constructor(options: DynamoDbRateLimiterOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async acquire(dataSource: DataSourceId, endpoint: string, options: AcquireOptions = {}): Promise<void> {
    const maxWaitMs = options.maxWaitMs ?? this.#options.maxWaitMs ?? 5_000;
    const limits = await this.#limitsOf(dataSource);
    const intervalMs = grantIntervalMs(limits.limit);
    if (options.heldSlot !== undefined && (await this.#usable(dataSource, options.heldSlot, intervalMs))) {
      await this.#waitFor(dataSource, options.heldSlot, maxWaitMs);
      return;
    }
    const endpointLimit = limits.endpointLimits.find((cap) => cap.endpoints.some((path) => endpoint.startsWith(path)));
    // The source's bucket holds the pause, so every request checks it, whatever endpoint it calls. An endpoint's own
    // slot comes first; the source's slot is then taken no earlier than it, and the request goes at the later one.
    const onlyIfFree = options.background === true;
    const endpointSlotMs =
      endpointLimit === undefined
        ? 0
        : await this.#reserve(
            dataSource,
            `${sourceKey(dataSource)}#${endpointLimit.bucket}`,
            grantIntervalMs(endpointLimit),
            0,
            onlyIfFree,
          );
    const slotMs = await this.#reserve(dataSource, sourceKey(dataSource), intervalMs, endpointSlotMs, onlyIfFree);
    await this.#waitFor(dataSource, { at: new Date(slotMs).toISOString(), intervalMs }, maxWaitMs);
  }

  async pause(dataSource: DataSourceId, options: { retryAfterMs?: number | undefined }): Promise<RateLimitStatus> {
    const nowMs = this.#options.clock.now().getTime();
    let consecutive429s: number;
    try {
      // Only a 429 outside a pause counts as another one in a row: requests granted before the pause may still
      // come back 429 while it lasts.
      const { Attributes } = await this.#options.client.send(
        new UpdateCommand({
          TableName: this.#options.tableName,
          Key: { pk: sourceKey(dataSource) },
          UpdateExpression: 'ADD consecutive429s :one SET lastRateLimitedAtMs = :now',
          ConditionExpression: bucketIsFreeNow,
          ExpressionAttributeValues: { ':one': 1, ':now': nowMs },
          ReturnValues: 'ALL_NEW',
        }),
      );
      consecutive429s = Number(Attributes?.consecutive429s ?? 1);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.status(dataSource);
      throw error;
    }
    const pausedUntilMs =
      nowMs +
      pauseAfterRateLimitMs({
        consecutive429s,
        minimumMs: this.#options.minimumPauseMs ?? 60_000,
        retryAfterMs: options.retryAfterMs,
      });
    await this.#options.client.send(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: { pk: sourceKey(dataSource) },
        UpdateExpression: 'SET pausedUntilMs = :until',
        ExpressionAttributeValues: { ':until': pausedUntilMs },
      }),
    );
    this.#throttled.add(dataSource);
    return { pausedUntil: new Date(pausedUntilMs).toISOString(), consecutive429s };
  }

  async recovered(dataSource: DataSourceId): Promise<void> {
    if (!this.#throttled.has(dataSource)) return;
    this.#throttled.delete(dataSource);
    await this.#options.client.send(
      new UpdateCommand({
        TableName: this.#options.tableName,
        Key: { pk: sourceKey(dataSource) },
        UpdateExpression: 'SET consecutive429s = :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  }

  async status(dataSource: DataSourceId): Promise<RateLimitStatus> {
    const item = await this.#read(sourceKey(dataSource));
    const nowMs = this.#options.clock.now().getTime();
    const pausedUntilMs = Number(item?.pausedUntilMs ?? 0);
    return {
      consecutive429s: Number(item?.consecutive429s ?? 0),
      ...(pausedUntilMs > nowMs ? { pausedUntil: new Date(pausedUntilMs).toISOString() } : {}),
    };
  }

  /**
   * Takes the next slot of one bucket no earlier than `notBeforeMs` (a conditional write on the slot it read, and
   * not while paused) and returns when it is, in epoch ms. Another worker that took the slot first makes it read
   * again and take the next one. `onlyIfFree`: a slot that is not free now is not taken (a deferral says when).
   */
  async #reserve(
    dataSource: DataSourceId,
    key: string,
    intervalMs: number,
    notBeforeMs: number,
    onlyIfFree: boolean,
  ): Promise<number> {
    for (;;) {
      const item = await this.#read(key);
      if (Number(item?.consecutive429s ?? 0) > 0) this.#throttled.add(dataSource);
      const nowMs = Math.max(this.#options.clock.now().getTime(), notBeforeMs);
      const previous = item?.nextGrantAtMs === undefined ? undefined : Number(item.nextGrantAtMs);
      const paused =
        key === sourceKey(dataSource) ? Number(item?.pausedUntilMs ?? 0) : await this.#pausedUntil(dataSource);
      const { grantAtMs, next } = nextGrant({ ...pacingOf(item), pausedUntilMs: paused }, nowMs, intervalMs);
      // A background request takes only a slot free now: one further off stays for whoever comes first.
      if (onlyIfFree && grantAtMs > nowMs) throw new RateLimitDeferral(dataSource, grantAtMs - nowMs);
      try {
        await this.#options.client.send(
          new UpdateCommand({
            TableName: this.#options.tableName,
            Key: { pk: key },
            UpdateExpression: 'SET nextGrantAtMs = :next, intervalMs = :interval',
            ConditionExpression: `${slotIsStillOurs} AND ${bucketIsFreeNow}`,
            ExpressionAttributeValues: {
              ':next': next.nextGrantAtMs,
              ':interval': intervalMs,
              ':previous': previous ?? 0,
              ':now': grantAtMs,
            },
          }),
        );
        return grantAtMs;
      } catch (error) {
        // Another worker took this slot (or a pause began): read again and take the next one.
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
    }
  }

  /** Sleeps until the slot, or defers with it when the caller may not wait that long. */
  async #waitFor(dataSource: DataSourceId, slot: HeldSlot, maxWaitMs: number): Promise<void> {
    const waitMs = Date.parse(slot.at) - this.#options.clock.now().getTime();
    if (waitMs > maxWaitMs) throw new RateLimitDeferral(dataSource, waitMs, slot);
    if (waitMs > 0) await this.#sleep(waitMs);
  }

  /** Whether a held slot of the source's bucket may still be used at the current pace (`isHeldSlotUsable`). */
  async #usable(dataSource: DataSourceId, slot: HeldSlot, intervalMs: number): Promise<boolean> {
    const bucket = await this.#read(sourceKey(dataSource));
    return isHeldSlotUsable(slot, pacingOf(bucket), this.#options.clock.now().getTime(), intervalMs);
  }

  async #pausedUntil(dataSource: DataSourceId): Promise<number> {
    return Number((await this.#read(sourceKey(dataSource)))?.pausedUntilMs ?? 0);
  }

  async #read(key: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#options.client.send(
      new GetCommand({ TableName: this.#options.tableName, Key: { pk: key }, ConsistentRead: true }),
    );
    return Item;
  }

  async #limitsOf(dataSource: DataSourceId): Promise<DataSourceLimits> {
    const cached = this.#limits.get(dataSource);
    const nowMs = Date.now();
    if (cached !== undefined && nowMs - cached.readAtMs < (this.#options.limitsTtlMs ?? 60_000)) return cached.limits;
    const limits = await this.#options.limitsOf(dataSource);
    this.#limits.set(dataSource, { limits, readAtMs: nowMs });
    return limits;
  }
}
