import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, queryPage } from '#shared/adapters/dynamodb-cursor.ts';
import {
  jobItem,
  jobSk,
  membersItem,
  membersPrefix,
  openRunsPartition,
  runItem,
  runPk,
  runSk,
  storageAttributes,
  toJob,
  toMembers,
  toRun,
} from '#shared/adapters/dynamodb-ledger-items.ts';
import { UpdateExpressionBuilder } from '#shared/adapters/dynamodb-update.ts';
import { chunk, forEachConcurrently } from '#shared/concurrency.ts';
import { memberShards, memberView } from '#shared/domain/date-jobs.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import {
  addTallies,
  decideJob,
  finishesJobs,
  isNoTally,
  type JobTally,
  noTally,
  type TalliedJob,
  tallyChange,
} from '#shared/domain/job-transitions.ts';
import type { DateJobMember, Job, JobStatus, Run } from '#shared/domain/run.ts';
import {
  countJobs,
  decideRun,
  mayBeDone,
  type RunEvent,
  type RunRefusal,
  unfinishedRunStatuses,
} from '#shared/domain/run-transitions.ts';
import type { JobUpdate, JobUpdateResult, Page, RunChange, RunLedger } from '#shared/ports/run-ledger.ts';

/** DynamoDB batch limits, and the batches kept in flight when the dispatcher stores thousands of jobs. */
const writesPerBatch = 25;
const batchConcurrency = 4;
/** Job writes in flight at once when a batch of outcomes is applied. */
const jobWriteConcurrency = 16;
/** Decisions re-made on a fresh read after a lost race before giving up (a race lost this often is a bug). */
const maxDecisionRounds = 20;

/**
 * RunLedger on one DynamoDB table (`dynamodb-ledger-items.ts` says where each record sits). The state machines
 * decide (`decideJob`, `decideRun`); this class reads, writes each decision with the condition that the record is
 * still the revision it was decided on, and decides again on a fresh read when it is not. A run's counts move by
 * atomic ADDs that bump its revision too, and only while it is unfinished; no transactions (the emulator loses
 * concurrent writes when one is cancelled).
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

  async listRunsOfDates(groupId: string, dates: { from: string; to: string }): Promise<Run[]> {
    const runs: Run[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: 'runsByDate',
          KeyConditionExpression: 'groupId = :groupId AND runDateKey BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':groupId': groupId, ':from': `${dates.from}#`, ':to': `${dates.to}#\uffff` },
          ExclusiveStartKey: startKey,
        }),
      );
      runs.push(...Items.map(toRun));
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    return runs;
  }

  async listOpenRuns(options: { limit?: number; cursor?: string } = {}): Promise<Page<Run>> {
    const { Items, LastEvaluatedKey } = await queryPage(
      this.#client,
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
      // Jobs may all have finished while the run was still dispatching. (A reopened run waits for the jobs its
      // caller reopens next; should it never, the watchdog's recount finishes it again.)
      return event.kind === 'enqueued' ? this.#finishIfDone(decision.run, event.at) : { run: decision.run };
    }
    throw new Error(`run ${runId} kept changing under ${event.kind}`);
  }

  async addJobs(
    runId: string,
    jobs: readonly Job[],
    members: Readonly<Record<string, readonly DateJobMember[]>> = {},
  ): Promise<void> {
    const memberItems = jobs.flatMap((job) =>
      memberShards(members[job.jobId] ?? []).map((shard, index) => membersItem(runId, job.jobId, index, shard)),
    );
    const jobItems = jobs.map((job) => jobItem(runId, job));
    const kept = new Set([...memberItems, ...jobItems].map((item) => item.sk));
    const left = (await this.#storedJobKeys(runId)).filter((sk) => !kept.has(sk));
    await this.#deleteAll(left.map((sk) => ({ pk: runPk(runId), sk })));
    // Members first: a date job is never stored without them.
    await this.#writeAll(memberItems);
    await this.#writeAll(jobItems);
  }

  async getJob(runId: string, jobId: string): Promise<Job | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: runPk(runId), sk: jobSk(jobId) }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toJob(Item);
  }

  async listJobs(
    runId: string,
    options: { status?: JobStatus; limit?: number; cursor?: string; asStored?: boolean } = {},
  ): Promise<Page<Job>> {
    const limit = options.limit ?? 100;
    const matches = (job: Job): boolean => options.status === undefined || job.status === options.status;
    const position = decodeCursor(options.cursor, {
      attributes: ['pk', 'sk'],
      equals: { pk: runPk(runId) },
      startsWith: { sk: jobSk('') },
      optional: ['member'],
    });
    const jobs: Job[] = [];
    let startKey: Record<string, unknown> | undefined =
      position === undefined ? undefined : { pk: position.pk, sk: position.sk };
    // A page that ended inside a date job's members goes on from the next member.
    if (position?.member !== undefined) {
      const dateJob = await this.getJob(runId, String(position.sk).slice(jobSk('').length));
      if (dateJob !== undefined) {
        const rest = await this.#memberViews(runId, dateJob, Number(position.member), limit, matches);
        jobs.push(...rest.views);
        if (rest.next !== undefined) return { items: jobs, cursor: this.#cursor(runId, dateJob, rest.next) };
      }
    }
    // With a status filter DynamoDB may return short pages; asking for at most the remaining count per query never
    // reads past what this page returns, so the cursor never skips a job.
    while (jobs.length < limit) {
      const { Items = [], LastEvaluatedKey } = await queryPage(
        this.#client,
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :jobPrefix)',
          ...(options.status === undefined || options.asStored !== true
            ? {}
            : { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }),
          ExpressionAttributeValues: {
            ':pk': runPk(runId),
            ':jobPrefix': jobSk(''),
            ...(options.status === undefined || options.asStored !== true ? {} : { ':status': options.status }),
          },
          Limit: limit - jobs.length,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      let consumed: Record<string, unknown> | undefined = startKey;
      for (const job of Items.map(toJob)) {
        // A date job's members may have filled the page before the items after it: they start the next one.
        if (jobs.length >= limit) return withCursor(jobs, consumed);
        consumed = { pk: runPk(runId), sk: jobSk(job.jobId) };
        if (job.members === undefined || options.asStored === true) {
          if (matches(job)) jobs.push(job);
          continue;
        }
        const expanded = await this.#memberViews(runId, job, 0, limit - jobs.length, matches);
        jobs.push(...expanded.views);
        if (expanded.next !== undefined) return { items: jobs, cursor: this.#cursor(runId, job, expanded.next) };
      }
      startKey = LastEvaluatedKey;
      if (startKey === undefined) return { items: jobs };
    }
    return withCursor(jobs, startKey);
  }

  async getMembers(runId: string, dateJobId: string): Promise<DateJobMember[]> {
    const members: DateJobMember[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': runPk(runId), ':prefix': membersPrefix(dateJobId) },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of Items) members.push(...toMembers(item));
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    return members;
  }

  async saveMembers(runId: string, dateJobId: string, members: readonly DateJobMember[]): Promise<void> {
    await this.#writeAll(memberShards(members).map((shard, index) => membersItem(runId, dateJobId, index, shard)));
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
    // A crash right after the job writes leaves the counts short; the recount that finishes the run (the run's last
    // jobs', or the watchdog's) counts the jobs themselves.
    const run = isNoTally(tally) ? await this.#requireRun(runId) : await this.#addTally(runId, tally, at);
    const change = finishesJobs(tally) ? await this.#finishIfDone(run, at) : { run };
    return { ...change, jobs: results };
  }

  async recountRun(runId: string, at: string): Promise<RunChange> {
    for (let round = 0; round < maxDecisionRounds; round++) {
      const run = await this.#requireRun(runId);
      const decision = decideRun(run, { kind: 'recount', at, counted: await this.#countJobs(runId) });
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
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: { pk: runPk(runId), sk: jobSk(update.jobId) },
            UpdateExpression: changes,
            ConditionExpression: `attribute_exists(${expression.name('sk')}) AND ${isRevision(expression, job.revision)}`,
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

  /**
   * Moves the run's counts by `tally`, atomically, and its revision on — only while the run is unfinished: a count
   * that arrives after the run's finish (which counted the jobs themselves) is dropped.
   */
  async #addTally(runId: string, tally: JobTally, at: string): Promise<Run> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(runId), sk: runSk },
          UpdateExpression:
            'ADD counters.succeeded :succeeded, counters.failed :failed, counters.dead :dead, ' +
            'waitingForRateLimit :waiting, deferrals :deferrals, rowsWritten :rows, revision :one SET updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:dispatching, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':succeeded': tally.succeeded,
            ':failed': tally.failed,
            ':dead': tally.dead,
            ':waiting': tally.waitingForRateLimit,
            ':deferrals': tally.deferrals,
            ':rows': tally.rowsWritten,
            ':one': 1,
            ':at': at,
            ':dispatching': 'dispatching',
            ':running': 'running',
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRun(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.#requireRun(runId);
      throw error;
    }
  }

  /**
   * Gives a running run whose counts say its jobs are (nearly) done its final status, decided on a recount of the
   * jobs and written only on the revision it was decided on: a count or a reopen meanwhile makes it decide again.
   */
  async #finishIfDone(seen: Run, at: string): Promise<RunChange> {
    let run = seen;
    for (let round = 0; round < maxDecisionRounds; round++) {
      if (!mayBeDone(run)) return { run };
      const decision = decideRun(run, { kind: 'recount', at, counted: await this.#countJobs(run.runId) });
      if ('refused' in decision) return { run };
      if (await this.#writeRun(run, decision.run)) {
        return decision.finished ? { run: decision.run, finished: decision.run } : { run: decision.run };
      }
      run = await this.#requireRun(run.runId);
    }
    throw new Error(`run ${seen.runId} kept changing while it was finishing`);
  }

  /** Writes `next` over `seen` while the stored run is still `seen`'s revision; false otherwise. */
  async #writeRun(seen: Run, next: Run): Promise<boolean> {
    const expression = new UpdateExpressionBuilder();
    const changes = expression.changes(runItem(seen), runItem(next), storageAttributes);
    // The index key follows the status whatever the stored item holds (runs stored before the index had none).
    const indexKey = expression.name('openRunsKey');
    const index = unfinishedRunStatuses.has(next.status)
      ? `SET ${indexKey} = ${expression.value(openRunsPartition)}`
      : `REMOVE ${indexKey}`;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: runPk(seen.runId), sk: runSk },
          UpdateExpression: mergeClauses(changes, index),
          ConditionExpression: `attribute_exists(${expression.name('pk')}) AND ${isRevision(expression, seen.revision)}`,
          ...expression.attributes(),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** What the run's jobs as stored add up to (a date job counts its members). */
  async #countJobs(runId: string): Promise<JobTally> {
    const jobs: TalliedJob[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :jobPrefix)',
          ProjectionExpression: '#status, deadLettered, waitingFor, deferrals, rowsWritten, members, lastError.code',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': runPk(runId), ':jobPrefix': jobSk('') },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of Items) jobs.push({ ...item, deferrals: Number(item.deferrals ?? 0) } as TalliedJob);
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    return countJobs(jobs);
  }

  /** A date job's members as jobs, from member `from` on, at most `room` of those that match. */
  async #memberViews(
    runId: string,
    dateJob: Job,
    from: number,
    room: number,
    matches: (job: Job) => boolean,
  ): Promise<{ views: Job[]; next?: number }> {
    const members = await this.getMembers(runId, dateJob.jobId);
    const views: Job[] = [];
    for (let index = from; index < members.length; index++) {
      if (views.length >= room) return { views, next: index };
      const view = memberView(dateJob, members[index] as DateJobMember);
      if (matches(view)) views.push(view);
    }
    return { views };
  }

  #cursor(runId: string, dateJob: Job, member: number): string {
    return encodeCursor({ pk: runPk(runId), sk: jobSk(dateJob.jobId), member: String(member) }) ?? '';
  }

  /** The sort keys of every job and members item of the run (an interrupted dispatch's, if any). */
  async #storedJobKeys(runId: string): Promise<string[]> {
    const keys: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'sk <> :run',
          ProjectionExpression: 'sk',
          ExpressionAttributeValues: { ':pk': runPk(runId), ':run': runSk },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of Items) keys.push(String(item.sk));
      startKey = LastEvaluatedKey;
    } while (startKey !== undefined);
    return keys;
  }

  /** Deletes items by key in batches of 25, resending what DynamoDB leaves unprocessed. */
  async #deleteAll(keys: readonly Record<string, unknown>[]): Promise<void> {
    await this.#batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }

  /** Puts items in batches of 25, resending what DynamoDB leaves unprocessed. */
  async #writeAll(items: readonly Record<string, unknown>[]): Promise<void> {
    await this.#batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
  }

  async #batchWrite(requests: readonly WriteRequest[]): Promise<void> {
    await forEachConcurrently(chunk(requests, writesPerBatch), batchConcurrency, async (batch) => {
      let pending: WriteRequest[] = [...batch];
      while (pending.length > 0) {
        const { UnprocessedItems } = await this.#client.send(
          new BatchWriteCommand({ RequestItems: { [this.#tableName]: pending } }),
        );
        pending = (UnprocessedItems?.[this.#tableName] ?? []) as WriteRequest[];
      }
    });
  }

  async #requireRun(runId: string): Promise<Run> {
    const run = await this.getRun(runId);
    if (run === undefined) throw new NotFoundError('run', runId);
    return run;
  }
}

/** The condition that the stored record is still `revision` (a record stored before revisions existed is 0). */
function isRevision(expression: UpdateExpressionBuilder, revision: number): string {
  const name = expression.name('revision');
  return revision === 0
    ? `(attribute_not_exists(${name}) OR ${name} = ${expression.value(0)})`
    : `${name} = ${expression.value(revision)}`;
}

/** Joins update clauses, folding several `SET` or `REMOVE` clauses into one each (DynamoDB allows each once). */
function mergeClauses(...clauses: (string | undefined)[]): string {
  const sets: string[] = [];
  const removes: string[] = [];
  for (const clause of clauses) {
    for (const part of (clause ?? '').split(/ (?=SET |REMOVE )/)) {
      if (part.startsWith('SET ')) sets.push(part.slice(4));
      else if (part.startsWith('REMOVE ')) removes.push(part.slice(7));
    }
  }
  return [
    ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : []),
    ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
  ].join(' ');
}

/** One put or delete of a batch write. */
type WriteRequest =
  | { readonly PutRequest: { readonly Item: Record<string, unknown> } }
  | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

function latestInstant(instants: readonly string[]): string {
  return instants.reduce((latest, at) => (Date.parse(at) > Date.parse(latest) ? at : latest));
}

function withCursor<Item>(items: Item[], lastKey: Record<string, unknown> | undefined): Page<Item> {
  const cursor = encodeCursor(lastKey);
  return cursor === undefined ? { items } : { items, cursor };
}
