import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrently } from '#shared/adapters/batch-concurrency.ts';
import { decodeCursor, encodeCursor, queryPage } from '#shared/adapters/dynamodb-cursor.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import {
  allJobsFinished,
  finalRunStatus,
  finishedJobStatuses,
  type Job,
  type JobError,
  JobSchema,
  type JobStatus,
  type Run,
  type RunCounters,
  RunSchema,
  type RunStatus,
} from '#shared/domain/run.ts';
import type { FinishJobResult, JobOutcome, Page, ReopenJobResult, RunLedger } from '#shared/ports/run-ledger.ts';

/** Conditions, each named for the rule it enforces. */
const runIsNew = 'attribute_not_exists(pk)';
const runExists = 'attribute_exists(pk)';
const jobIsUnfinished = 'attribute_exists(sk) AND NOT (#status IN (:succeeded, :failed))';
const runIsStillRunning = '#status = :running';
/** The counters a finisher read are still the run's: nothing was counted or reopened since. */
const countersAreUnchanged = 'counters.#succeeded = :seenSucceeded AND counters.#failed = :seenFailed';
const jobHasFailed = 'attribute_exists(sk) AND #status = :failed';
const runHasFinishedWithJobs = '#status IN (:succeeded, :partiallyFailed, :failed)';

const runSk = 'RUN';
const runPk = (runId: string): string => `RUN#${runId}`;
const jobSk = (jobId: string): string => `JOB#${jobId}`;
const finishedStatusValues = { ':succeeded': 'succeeded', ':failed': 'failed' };

/** DynamoDB batch limits, and the batches kept in flight when the dispatcher stores thousands of jobs. */
const readsPerBatch = 100;
const writesPerBatch = 25;
const batchConcurrency = 4;

/**
 * RunLedger on one DynamoDB table: a run and its jobs share the partition `RUN#<runId>` (sort keys `RUN` and
 * `JOB#<jobId>`); the sparse index `runsByGroup` (groupId, `<scheduledTime>#<runId>`) lists a group's runs.
 */
export class DynamoDbRunLedger implements RunLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async claimRun(run: Run): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: runPk(run.runId), sk: runSk, runSortKey: `${run.scheduledTime}#${run.runId}`, ...run },
          ConditionExpression: runIsNew,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async getRun(runId: string): Promise<Run | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: runPk(runId), sk: runSk }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toRun(Item);
  }

  async listRuns(groupId: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Run>> {
    const { Items, LastEvaluatedKey } = await queryPage(
      this.#client,
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: 'runsByGroup',
        KeyConditionExpression: 'groupId = :groupId',
        ExpressionAttributeValues: { ':groupId': groupId },
        ScanIndexForward: false,
        Limit: options.limit ?? 100,
        ExclusiveStartKey: decodeCursor(options.cursor, {
          attributes: ['pk', 'sk', 'groupId', 'runSortKey'],
          equals: { groupId, sk: runSk },
        }),
      }),
    );
    return withCursor((Items ?? []).map(toRun), LastEvaluatedKey);
  }

  async addJobs(runId: string, jobs: readonly Job[]): Promise<void> {
    // Jobs already stored (an interrupted dispatch being resumed) keep their progress: only missing ones are
    // written. A job is stored before its message is sent, so none can progress between this read and the write.
    const existing = new Set<string>();
    await forEachConcurrently(chunk(jobs, readsPerBatch), batchConcurrency, async (batch) => {
      let keys: Record<string, unknown>[] = batch.map((job) => ({ pk: runPk(runId), sk: jobSk(job.jobId) }));
      while (keys.length > 0) {
        const { Responses, UnprocessedKeys } = await this.#client.send(
          new BatchGetCommand({
            RequestItems: { [this.#tableName]: { Keys: keys, ProjectionExpression: 'sk', ConsistentRead: true } },
          }),
        );
        for (const item of Responses?.[this.#tableName] ?? []) existing.add(String(item.sk));
        keys = UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      }
    });
    const missing = jobs.filter((job) => !existing.has(jobSk(job.jobId)));
    await forEachConcurrently(chunk(missing, writesPerBatch), batchConcurrency, async (batch) => {
      let requests: { PutRequest: { Item: Record<string, unknown> } }[] = batch.map((job) => ({
        PutRequest: { Item: { pk: runPk(runId), sk: jobSk(job.jobId), ...job } },
      }));
      while (requests.length > 0) {
        const { UnprocessedItems } = await this.#client.send(
          new BatchWriteCommand({ RequestItems: { [this.#tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[this.#tableName] ?? []).flatMap((request) =>
          request.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: request.PutRequest.Item } }],
        );
      }
    });
  }

  async updateRun(
    runId: string,
    changes: { status: RunStatus; total?: number; reason?: string; at: string },
  ): Promise<Run> {
    const sets = ['#status = :status', 'updatedAt = :at'];
    const values: Record<string, unknown> = { ':status': changes.status, ':at': changes.at };
    if (changes.total !== undefined) {
      sets.push('counters.#total = :total');
      values[':total'] = changes.total;
    }
    if (changes.reason !== undefined) {
      sets.push('reason = :reason');
      values[':reason'] = changes.reason;
    }
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: runSk },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: runExists,
          ExpressionAttributeNames: {
            '#status': 'status',
            ...(changes.total === undefined ? {} : { '#total': 'total' }),
          },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      // Jobs may all have finished while the run was still dispatching.
      return await this.#finishRunIfDone(toRun(Attributes ?? {}), changes.at);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new NotFoundError('run', runId);
      throw error;
    }
  }

  async getJob(runId: string, jobId: string): Promise<Job | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: runPk(runId), sk: jobSk(jobId) }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toJob(Item);
  }

  async listJobs(
    runId: string,
    options: { status?: JobStatus; limit?: number; cursor?: string } = {},
  ): Promise<Page<Job>> {
    const limit = options.limit ?? 100;
    const jobs: Job[] = [];
    let startKey: Record<string, unknown> | undefined = decodeCursor(options.cursor, {
      attributes: ['pk', 'sk'],
      equals: { pk: runPk(runId) },
      startsWith: { sk: jobSk('') },
    });
    // With a status filter DynamoDB may return short pages; asking for at most the remaining count per query
    // never reads past what this page returns, so the cursor never skips a job.
    do {
      const { Items, LastEvaluatedKey } = await queryPage(
        this.#client,
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :jobPrefix)',
          ...(options.status === undefined
            ? {}
            : { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }),
          ExpressionAttributeValues: {
            ':pk': runPk(runId),
            ':jobPrefix': 'JOB#',
            ...(options.status === undefined ? {} : { ':status': options.status }),
          },
          Limit: limit - jobs.length,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      jobs.push(...(Items ?? []).map(toJob));
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined && jobs.length < limit);
    return withCursor(jobs, startKey);
  }

  async startAttempt(runId: string, jobId: string, at: string): Promise<Job | undefined> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: jobSk(jobId) },
          UpdateExpression: 'SET #status = :running, attemptsMade = attemptsMade + :one, updatedAt = :at',
          ConditionExpression: jobIsUnfinished,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':one': 1, ':at': at, ...finishedStatusValues },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toJob(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.#undefinedIfFinished(runId, jobId);
      throw error;
    }
  }

  async releaseAttempt(runId: string, jobId: string, at: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: jobSk(jobId) },
          UpdateExpression: 'SET #status = :queued, attemptsMade = attemptsMade - :one, updatedAt = :at',
          ConditionExpression: 'attribute_exists(sk) AND #status = :running AND attemptsMade > :zero',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ':one': 1, ':zero': 0, ':at': at },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordRetry(runId: string, jobId: string, lastError: JobError, at: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: jobSk(jobId) },
          UpdateExpression: 'SET #status = :retrying, lastError = :lastError, updatedAt = :at',
          ConditionExpression: jobIsUnfinished,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':retrying': 'retrying',
            ':lastError': lastError,
            ':at': at,
            ...finishedStatusValues,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        await this.#undefinedIfFinished(runId, jobId);
        return;
      }
      throw error;
    }
  }

  async finishJob(runId: string, jobId: string, outcome: JobOutcome): Promise<FinishJobResult> {
    const deadLettered = outcome.deadLettered ?? false;
    const jobSets = [
      '#status = :status',
      'deadLettered = :deadLettered',
      'durationMs = :durationMs',
      'upstreamRequests = :upstreamRequests',
      'updatedAt = :at',
    ];
    const jobValues: Record<string, unknown> = {
      ':status': outcome.status,
      ':deadLettered': deadLettered,
      ':durationMs': outcome.durationMs,
      ':upstreamRequests': outcome.upstreamRequests,
      ':at': outcome.at,
      ...finishedStatusValues,
    };
    if (outcome.rowsWritten !== undefined) {
      jobSets.push('rowsWritten = :rowsWritten');
      jobValues[':rowsWritten'] = outcome.rowsWritten;
    }
    if (outcome.lastError !== undefined) {
      jobSets.push('lastError = :lastError');
      jobValues[':lastError'] = outcome.lastError;
    }
    try {
      // The conditional move to a finished status happens once per job; only the call that made it bumps the
      // counters, so a replayed message never counts twice.
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: jobSk(jobId) },
          UpdateExpression: `SET ${jobSets.join(', ')}`,
          ConditionExpression: jobIsUnfinished,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: jobValues,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.#undefinedIfFinished(runId, jobId);
      return { counted: false, run: await this.#requireRun(runId) };
    }
    // A crash right here leaves the run one short; `recountRun` (the watchdog) repairs it from the jobs.
    const { Attributes } = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { pk: runPk(runId), sk: runSk },
        UpdateExpression:
          'ADD counters.#succeeded :succeeded, counters.#failed :failed, counters.#dead :dead SET updatedAt = :at',
        ConditionExpression: runExists,
        ExpressionAttributeNames: { '#succeeded': 'succeeded', '#failed': 'failed', '#dead': 'dead' },
        ExpressionAttributeValues: {
          ':succeeded': outcome.status === 'succeeded' ? 1 : 0,
          ':failed': outcome.status === 'failed' ? 1 : 0,
          ':dead': deadLettered ? 1 : 0,
          ':at': outcome.at,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { counted: true, run: await this.#finishRunIfDone(toRun(Attributes ?? {}), outcome.at) };
  }

  async reopenJob(runId: string, jobId: string, at: string): Promise<ReopenJobResult> {
    let before: Job;
    try {
      // Like `finishJob`, the conditional move of the job happens once per failure, and only the call that made it
      // touches the counters; no transaction (moto orphans the stream shard of a cancelled one, emulator.md §2).
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: jobSk(jobId) },
          UpdateExpression:
            'SET #status = :queued, attemptsMade = :zero, deadLettered = :notDeadLettered, updatedAt = :at',
          ConditionExpression: jobHasFailed,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':queued': 'queued',
            ':zero': 0,
            ':notDeadLettered': false,
            ':at': at,
            ':failed': 'failed',
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      before = toJob(Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const job = await this.getJob(runId, jobId);
      if (job === undefined) throw new NotFoundError('job', `${runId}/${jobId}`);
      // An unfinished job in a finished run is what a reopen interrupted before its run's update leaves. Only the
      // status is repaired: the counters, one over, are recounted when the run finishes, whereas a recount here
      // could race the interrupted reopen's own decrement and leave them short, and the run unfinishable.
      if (!finishedJobStatuses.has(job.status)) await this.#putRunBackToRunning(runId, at);
      return { reopened: false, job };
    }
    // A crash right here leaves the run finished with a queued job: the next reopen of the job repairs it (above).
    await this.#uncountFailure(runId, before.deadLettered, at);
    return {
      reopened: true,
      job: { ...before, status: 'queued', attemptsMade: 0, deadLettered: false, updatedAt: at },
    };
  }

  /** Takes a reopened job off the run's counters and puts a finished run back to `running`. */
  async #uncountFailure(runId: string, deadLettered: boolean, at: string): Promise<void> {
    let run: Run;
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: runSk },
          UpdateExpression: 'ADD counters.#failed :minusOne, counters.#dead :minusDead SET updatedAt = :at',
          // Counters that fell short of this failure are not taken below zero; they are recounted instead.
          ConditionExpression: `${runExists} AND counters.#failed >= :one AND counters.#dead >= :dead`,
          ExpressionAttributeNames: { '#failed': 'failed', '#dead': 'dead' },
          ExpressionAttributeValues: {
            ':minusOne': -1,
            ':minusDead': deadLettered ? -1 : 0,
            ':one': 1,
            ':dead': deadLettered ? 1 : 0,
            ':at': at,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      run = toRun(Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.#requireRun(runId);
      run = await this.#writeCounters(runId, await this.#countJobs(runId, current.counters.total), at);
    }
    if (finishedWithJobs(run.status)) await this.#putRunBackToRunning(runId, at);
  }

  async #writeCounters(runId: string, counters: RunCounters, at: string): Promise<Run> {
    const { Attributes } = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { pk: runPk(runId), sk: runSk },
        UpdateExpression: 'SET counters = :counters, updatedAt = :at',
        ConditionExpression: runExists,
        ExpressionAttributeValues: { ':counters': counters, ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toRun(Attributes ?? {});
  }

  /** A finished run goes back to `running`; of concurrent reopens, the first does it and the others find it done. */
  async #putRunBackToRunning(runId: string, at: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: runSk },
          UpdateExpression: 'SET #status = :running, updatedAt = :at REMOVE finishedAt',
          ConditionExpression: runHasFinishedWithJobs,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':running': 'running',
            ':at': at,
            ':succeeded': 'succeeded',
            ':partiallyFailed': 'partially_failed',
            ':failed': 'failed',
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recountRun(runId: string, at: string): Promise<Run> {
    const run = await this.#requireRun(runId);
    const counters = await this.#countJobs(runId, run.counters.total);
    const { Attributes } = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { pk: runPk(runId), sk: runSk },
        UpdateExpression: 'SET counters = :counters, updatedAt = :at',
        ExpressionAttributeValues: { ':counters': counters, ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return this.#finishRunIfDone(toRun(Attributes ?? {}), at);
  }

  /** The run's counters as its jobs say they are. */
  async #countJobs(runId: string, total: number): Promise<RunCounters> {
    const counters: RunCounters = { total, succeeded: 0, failed: 0, dead: 0 };
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :jobPrefix)',
          ProjectionExpression: '#status, deadLettered',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': runPk(runId), ':jobPrefix': 'JOB#' },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of Items) {
        if (item.status === 'succeeded') counters.succeeded++;
        if (item.status === 'failed') counters.failed++;
        if (item.deadLettered === true) counters.dead++;
      }
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    return counters;
  }

  async addUpstreamRequests(runId: string, count: number): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { pk: runPk(runId), sk: runSk },
        UpdateExpression: 'ADD upstreamRequests :count',
        ConditionExpression: runExists,
        ExpressionAttributeValues: { ':count': count },
      }),
    );
  }

  /**
   * Gives a running run whose jobs have all finished its final status. The condition lets exactly one caller write
   * it, and only while the counters are still those it read: a job reopened meanwhile (whose failure the recount
   * below may already have missed or still counted) leaves the run running for that job's own finish.
   */
  async #finishRunIfDone(run: Run, at: string): Promise<Run> {
    if (run.status !== 'running' || !allJobsFinished(run.counters)) return run;
    // Running counters may be short (or one over after an interrupted reopen); the final ones come from the jobs.
    const counters = await this.#countJobs(run.runId, run.counters.total);
    if (!allJobsFinished(counters)) return run;
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(run.runId), sk: runSk },
          UpdateExpression: 'SET #status = :final, counters = :counters, finishedAt = :at, updatedAt = :at',
          ConditionExpression: `${runIsStillRunning} AND ${countersAreUnchanged}`,
          ExpressionAttributeNames: { '#status': 'status', '#succeeded': 'succeeded', '#failed': 'failed' },
          ExpressionAttributeValues: {
            ':final': finalRunStatus(counters),
            ':counters': counters,
            ':at': at,
            ':running': 'running',
            ':seenSucceeded': run.counters.succeeded,
            ':seenFailed': run.counters.failed,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRun(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.#requireRun(run.runId);
      throw error;
    }
  }

  async #requireRun(runId: string): Promise<Run> {
    const run = await this.getRun(runId);
    if (run === undefined) throw new NotFoundError('run', runId);
    return run;
  }

  /** A failed "job is unfinished" condition: the job is missing (an error) or already finished (undefined). */
  async #undefinedIfFinished(runId: string, jobId: string): Promise<undefined> {
    if ((await this.getJob(runId, jobId)) === undefined) throw new NotFoundError('job', `${runId}/${jobId}`);
    return undefined;
  }
}

/** Statuses of a run that has finished its jobs: a reopened job puts it back to `running`. */
function finishedWithJobs(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'partially_failed' || status === 'failed';
}

function toRun(item: Record<string, unknown>): Run {
  const { pk: _pk, sk: _sk, runSortKey: _runSortKey, ...run } = item;
  return RunSchema.parse(run);
}

function toJob(item: Record<string, unknown>): Job {
  const { pk: _pk, sk: _sk, ...job } = item;
  return JobSchema.parse(job);
}

function withCursor<Item>(items: Item[], lastKey: Record<string, unknown> | undefined): Page<Item> {
  const cursor = encodeCursor(lastKey);
  return cursor === undefined ? { items } : { items, cursor };
}
