import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrently } from '#shared/adapters/batch-concurrency.ts';
import { decodeCursor, encodeCursor, queryPage } from '#shared/adapters/dynamodb-cursor.ts';
import { UpdateExpressionBuilder } from '#shared/adapters/dynamodb-update.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import {
  addTallies,
  decideJob,
  isNoTally,
  type JobTally,
  noTally,
  tallyChange,
} from '#shared/domain/job-transitions.ts';
import {
  type FetchCheckpoint,
  FetchCheckpointSchema,
  type Job,
  JobSchema,
  type JobStatus,
  type Run,
  RunSchema,
} from '#shared/domain/run.ts';
import {
  type CountedJobs,
  decideRun,
  mayBeDone,
  type RunEvent,
  type RunRefusal,
  unfinishedRunStatuses,
} from '#shared/domain/run-transitions.ts';
import type { JobUpdate, JobUpdateResult, Page, RunChange, RunLedger } from '#shared/ports/run-ledger.ts';

const runSk = 'RUN';
const runPk = (runId: string): string => `RUN#${runId}`;
const jobSk = (jobId: string): string => `JOB#${jobId}`;
const dateSk = (date: string): string => `DATE#${date}`;
/** Attributes of the storage, not of the records: the keys and the index keys. */
const storageAttributes = ['pk', 'sk', 'runSortKey', 'openRunsKey'];
/** The one partition of the sparse `openRuns` index: every unfinished run, and only those. */
const openRunsPartition = 'open';

/** DynamoDB batch limits, and the batches kept in flight when the dispatcher stores thousands of jobs. */
const readsPerBatch = 100;
const writesPerBatch = 25;
const batchConcurrency = 4;
/** Job writes in flight at once when a batch of outcomes is applied. */
const jobWriteConcurrency = 16;
/** Decisions re-made on a fresh read after a lost race before giving up (a race lost this often is a bug). */
const maxDecisionRounds = 20;

/**
 * RunLedger on one DynamoDB table: a run and its jobs share the partition `RUN#<runId>` (sort keys `RUN`,
 * `JOB#<jobId>` and `DATE#<date>` for a date-wide fetch's checkpoint). The index `runsByGroup` (groupId,
 * `<scheduledTime>#<runId>`) lists a group's runs; the sparse index `openRuns` lists the unfinished ones.
 *
 * The state machines decide (`decideJob`, `decideRun`); this class reads, writes each decision with a condition
 * that the record is still what the decision was made on, and makes the decision again when it is not. Counters
 * move by atomic ADDs; no transactions (the emulator loses concurrent writes when one is cancelled).
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
          Item: runItem(run),
          ConditionExpression: 'attribute_not_exists(pk)',
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

  async listOpenRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<Run>> {
    const { Items, LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: 'openRuns',
        KeyConditionExpression: 'openRunsKey = :open',
        ExpressionAttributeValues: { ':open': openRunsPartition },
        Limit: options.limit ?? 100,
        ExclusiveStartKey: decodeCursor(options.cursor, {
          attributes: ['pk', 'sk', 'openRunsKey', 'runSortKey'],
          equals: { openRunsKey: openRunsPartition, sk: runSk },
        }),
      }),
    );
    return withCursor((Items ?? []).map(toRun), LastEvaluatedKey);
  }

  async updateRun(runId: string, event: RunEvent): Promise<RunChange & { readonly refused?: RunRefusal }> {
    for (let round = 0; round < maxDecisionRounds; round++) {
      const run = await this.#requireRun(runId);
      const decision = decideRun(run, event);
      if ('refused' in decision) return { run, refused: decision.refused };
      if (!(await this.#writeRun(run, decision.run))) continue;
      if (decision.finished) return { run: decision.run, finished: decision.run };
      // Jobs may all have finished while the run was still dispatching. (A reopened run waits for its reopened
      // jobs, which its caller reopens next; should it never, the watchdog's recount finishes the run again.)
      return event.kind === 'enqueued' ? this.#finishIfDone(decision.run, event.at) : { run: decision.run };
    }
    throw new Error(`run ${runId} kept changing under ${event.kind}`);
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
        PutRequest: { Item: jobItem(runId, job) },
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

  async updateJobs(
    runId: string,
    updates: readonly JobUpdate[],
  ): Promise<RunChange & { readonly jobs: readonly JobUpdateResult[] }> {
    if (updates.length === 0) return { run: await this.#requireRun(runId), jobs: [] };
    const results: JobUpdateResult[] = new Array(updates.length);
    let tally: JobTally = noTally;
    await forEachConcurrently(updates, jobWriteConcurrency, async (update, index) => {
      const { result, before } = await this.#applyJobEvent(runId, update);
      results[index] = result;
      if (result.applied && before !== undefined) tally = addTallies(tally, tallyChange(before, result.job));
    });
    const at = latestInstant(updates.map((update) => update.event.at));
    // A crash right after the job writes leaves the counters short; the recount at the finish (or the watchdog's)
    // repairs them from the jobs.
    const run = isNoTally(tally) ? await this.#requireRun(runId) : await this.#addTally(runId, tally, at);
    return { ...(await this.#finishIfDone(run, at)), jobs: results };
  }

  async recountRun(runId: string, at: string): Promise<RunChange> {
    for (let round = 0; round < maxDecisionRounds; round++) {
      const run = await this.#requireRun(runId);
      const decision = decideRun(run, { kind: 'recount', at, counted: await this.#countJobs(run) });
      if ('refused' in decision) return { run };
      if (!(await this.#writeRun(run, decision.run))) continue;
      return decision.finished ? { run: decision.run, finished: decision.run } : { run: decision.run };
    }
    throw new Error(`run ${runId} kept changing while it was recounted`);
  }

  async addUpstreamRequests(runId: string, count: number): Promise<void> {
    if (count === 0) return;
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { pk: runPk(runId), sk: runSk },
        UpdateExpression: 'ADD upstreamRequests :count',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':count': count },
      }),
    );
  }

  async getDateCheckpoint(runId: string, date: string): Promise<FetchCheckpoint | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: runPk(runId), sk: dateSk(date) }, ConsistentRead: true }),
    );
    return Item?.checkpoint === undefined ? undefined : FetchCheckpointSchema.parse(Item.checkpoint);
  }

  async saveDateCheckpoint(runId: string, date: string, checkpoint: FetchCheckpoint | undefined): Promise<void> {
    const Key = { pk: runPk(runId), sk: dateSk(date) };
    if (checkpoint === undefined) {
      await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key }));
      return;
    }
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { ...Key, date, checkpoint } }));
  }

  /** Decides the event on the job as stored (or as seen) and writes it while the job is still that revision. */
  async #applyJobEvent(runId: string, update: JobUpdate): Promise<{ result: JobUpdateResult; before?: Job }> {
    let job = update.seen;
    for (let round = 0; round < maxDecisionRounds; round++) {
      job ??= await this.getJob(runId, update.jobId);
      if (job === undefined) return { result: { jobId: update.jobId, applied: false, refused: 'unknown' } };
      const decision = decideJob(job, update.event);
      if ('refused' in decision) {
        return { result: { jobId: update.jobId, applied: false, refused: decision.refused, job } };
      }
      const expression = new UpdateExpressionBuilder();
      const changes = expression.changes(jobItem(runId, job), jobItem(runId, decision.job), storageAttributes);
      const revision = expression.name('revision');
      // Jobs stored before revisions existed have none: they are revision 0.
      const isSeenRevision =
        job.revision === 0
          ? `(attribute_not_exists(${revision}) OR ${revision} = ${expression.value(0)})`
          : `${revision} = ${expression.value(job.revision)}`;
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: { pk: runPk(runId), sk: jobSk(update.jobId) },
            UpdateExpression: changes,
            ConditionExpression: `attribute_exists(${expression.name('sk')}) AND ${isSeenRevision}`,
            ...expression.attributes(),
          }),
        );
        return { result: { jobId: update.jobId, applied: true, job: decision.job }, before: job };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        job = undefined;
      }
    }
    throw new Error(`job ${runId}/${update.jobId} kept changing under ${update.event.kind}`);
  }

  /** Moves the run's counters and summaries by `tally`, atomically. */
  async #addTally(runId: string, tally: JobTally, at: string): Promise<Run> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: runSk },
          UpdateExpression:
            'ADD counters.succeeded :succeeded, counters.failed :failed, counters.dead :dead, ' +
            'waitingForRateLimit :waiting, deferrals :deferrals SET updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':succeeded': tally.succeeded,
            ':failed': tally.failed,
            ':dead': tally.dead,
            ':waiting': tally.waitingForRateLimit,
            ':deferrals': tally.deferrals,
            ':at': at,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRun(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new NotFoundError('run', runId);
      throw error;
    }
  }

  /**
   * Gives a running run whose counters say its jobs are done its final status, decided on a recount of the jobs.
   * The write holds only while the run's status and counters are those the recount started from: a job counted
   * or reopened meanwhile makes it decide again.
   */
  async #finishIfDone(seen: Run, at: string): Promise<RunChange> {
    let run = seen;
    for (let round = 0; round < maxDecisionRounds; round++) {
      if (!mayBeDone(run)) return { run };
      const decision = decideRun(run, { kind: 'recount', at, counted: await this.#countJobs(run) });
      if ('refused' in decision) return { run };
      if (await this.#writeRun(run, decision.run)) {
        return decision.finished ? { run: decision.run, finished: decision.run } : { run: decision.run };
      }
      run = await this.#requireRun(run.runId);
    }
    throw new Error(`run ${seen.runId} kept changing while it was finishing`);
  }

  /** Writes `next` over `seen` while the stored run still has `seen`'s status and job counts; false otherwise. */
  async #writeRun(seen: Run, next: Run): Promise<boolean> {
    const expression = new UpdateExpressionBuilder();
    const changes = expression.changes(runItem(seen), runItem(next), storageAttributes.slice(0, 3));
    if (changes === undefined) return true;
    const counters = expression.name('counters');
    const condition = [
      `${expression.name('status')} = ${expression.value(seen.status)}`,
      `${counters}.${expression.name('succeeded')} = ${expression.value(seen.counters.succeeded)}`,
      `${counters}.${expression.name('failed')} = ${expression.value(seen.counters.failed)}`,
    ].join(' AND ');
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(seen.runId), sk: runSk },
          UpdateExpression: changes,
          ConditionExpression: condition,
          ...expression.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The run's counters as its jobs say they are. */
  async #countJobs(run: Run): Promise<CountedJobs> {
    const counted = { succeeded: 0, failed: 0, dead: 0, waitingForRateLimit: 0, deferrals: 0 };
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :jobPrefix)',
          ProjectionExpression: '#status, deadLettered, waitingFor, deferrals',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': runPk(run.runId), ':jobPrefix': 'JOB#' },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of Items) {
        if (item.status === 'succeeded') counted.succeeded++;
        if (item.status === 'failed') counted.failed++;
        if (item.status === 'failed' && item.deadLettered === true) counted.dead++;
        if (item.waitingFor === 'rate-limit') counted.waitingForRateLimit++;
        counted.deferrals += Number(item.deferrals ?? 0);
      }
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    const { waitingForRateLimit, deferrals, ...counters } = counted;
    return { counters: { total: run.counters.total, ...counters }, waitingForRateLimit, deferrals };
  }

  async #requireRun(runId: string): Promise<Run> {
    const run = await this.getRun(runId);
    if (run === undefined) throw new NotFoundError('run', runId);
    return run;
  }
}

/** A run as stored: with its keys, and in the `openRuns` index while unfinished. */
function runItem(run: Run): Record<string, unknown> {
  return {
    pk: runPk(run.runId),
    sk: runSk,
    runSortKey: `${run.scheduledTime}#${run.runId}`,
    ...(unfinishedRunStatuses.has(run.status) ? { openRunsKey: openRunsPartition } : {}),
    ...run,
  };
}

function jobItem(runId: string, job: Job): Record<string, unknown> {
  return { pk: runPk(runId), sk: jobSk(job.jobId), ...job };
}

function toRun(item: Record<string, unknown>): Run {
  const { pk: _pk, sk: _sk, runSortKey: _runSortKey, openRunsKey: _openRunsKey, ...run } = item;
  return RunSchema.parse(run);
}

function toJob(item: Record<string, unknown>): Job {
  const { pk: _pk, sk: _sk, ...job } = item;
  return JobSchema.parse(job);
}

function latestInstant(instants: readonly string[]): string {
  return instants.reduce((latest, at) => (Date.parse(at) > Date.parse(latest) ? at : latest));
}

function withCursor<Item>(items: Item[], lastKey: Record<string, unknown> | undefined): Page<Item> {
  const cursor = encodeCursor(lastKey);
  return cursor === undefined ? { items } : { items, cursor };
}
