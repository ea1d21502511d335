import { type DataSourceId, DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { dateJobId } from '#shared/domain/date-jobs.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import { isReopenable } from '#shared/domain/job-transitions.ts';
import { codeOnDate } from '#shared/domain/request-planning.ts';
import type { Job } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DeadLetterStore, JobDeadLetter, RedriveDecision } from '#shared/ports/dead-letter-store.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import { failAgain, reopenJobs } from '#shared/use-cases/reopen-jobs.ts';
import type { RunFinishedDeps } from '#shared/use-cases/run-finished.ts';

export interface RedriveDeadLettersDeps extends RunFinishedDeps {
  /** Each data source's dead-letter queue. */
  readonly deadLetterStores: Readonly<Record<DataSourceId, DeadLetterStore>>;
  /** Each data source's job queue, where redriven jobs go. */
  readonly queues: Readonly<Record<DataSourceId, JobQueue>>;
  readonly runLedger: RunLedger;
  readonly clock: Clock;
  readonly log: Log;
}

/** Which letters to redrive; nothing given means every letter of every data source. */
export interface RedriveDeadLettersRequest {
  readonly dataSource?: DataSourceId;
  readonly groupId?: string;
  readonly runId?: string;
  /** Letters looked at per data source in this call. @default 500 */
  readonly limit?: number;
}

/** What a redrive did with the letters it looked at. */
export interface RedriveCounts {
  /** Jobs sent back to their job queue, their letters removed. */
  readonly redriven: number;
  /** Stale letters removed unsent: their job has succeeded since, or another letter of the same job was redriven. */
  readonly discarded: number;
  /** Letters left where they are: unreadable, or of a job the run ledger does not know. */
  readonly skipped: number;
  /** Letters whose job could not be sent: they stay, and their job is failed again. */
  readonly failed: number;
  /** The pass stopped at its limit: call again for the rest. */
  readonly more: boolean;
}

/** The counts over every data source, and per data source. */
export interface RedriveSummary extends RedriveCounts {
  readonly dataSources: readonly ({ readonly dataSource: DataSourceId } & RedriveCounts)[];
}

/**
 * Redrives dead letters (design §5, `POST /dead-letters/redrive`): each matching letter's job is reopened in the run
 * ledger (so it may run again and its run goes back to `running`) before its message is sent back to the job queue,
 * and the letter is removed only after the send. A letter of a job that has succeeded since (its run was retried)
 * is stale and removed unsent, as is a second letter of a job already redriven in the same pass. Unreadable letters
 * and letters of jobs unknown to the ledger are never redriven.
 */
export async function redriveDeadLetters(
  request: RedriveDeadLettersRequest,
  deps: RedriveDeadLettersDeps,
): Promise<RedriveSummary> {
  const dataSources = await dataSourcesToRedrive(request, deps.runLedger);
  const filter = {
    ...(request.groupId === undefined ? {} : { groupId: request.groupId }),
    ...(request.runId === undefined ? {} : { runId: request.runId }),
  };
  const perSource: ({ dataSource: DataSourceId } & RedriveCounts)[] = [];
  for (const dataSource of dataSources) {
    const decider = new RedriveDecider(deps);
    const result = await deps.deadLetterStores[dataSource].redrive(filter, deps.queues[dataSource], {
      decide: (letter) => decider.decide(letter),
      ...(request.limit === undefined ? {} : { limit: request.limit }),
    });
    for (const { letter, error } of result.failed) await decider.failAgain(letter, error);
    const counts = {
      redriven: result.redriven,
      discarded: result.discarded,
      skipped: result.skipped,
      failed: result.failed.length,
      more: result.more,
    };
    deps.log.info('dead letters redriven', { dataSource, ...filter, count: counts.redriven, ...counts });
    perSource.push({ dataSource, ...counts });
  }
  const sum = (key: 'redriven' | 'discarded' | 'skipped' | 'failed'): number =>
    perSource.reduce((total, counts) => total + counts[key], 0);
  return {
    redriven: sum('redriven'),
    discarded: sum('discarded'),
    skipped: sum('skipped'),
    failed: sum('failed'),
    more: perSource.some((counts) => counts.more),
    dataSources: perSource,
  };
}

/** A run's letters are all in its data source's queue; an unknown run is a 404, not an empty redrive. */
async function dataSourcesToRedrive(request: RedriveDeadLettersRequest, ledger: RunLedger): Promise<DataSourceId[]> {
  if (request.runId === undefined) {
    return request.dataSource === undefined ? [...DataSourceIdSchema.options] : [request.dataSource];
  }
  const run = await ledger.getRun(request.runId);
  if (run === undefined) throw new NotFoundError('run', request.runId);
  if (request.dataSource !== undefined && request.dataSource !== run.dataSource) {
    throw ValidationError.of(
      'dataSource',
      `run '${run.runId}' fetches from ${run.dataSource}, not ${request.dataSource}`,
    );
  }
  return [run.dataSource];
}

/** The decisions of one pass over one data source's letters. */
class RedriveDecider {
  readonly #deps: RedriveDeadLettersDeps;
  /** Jobs (`runId/jobId`) redriven in this pass. */
  readonly #redriven = new Set<string>();
  /** The jobs each letter reopened (by letter id), to fail again should its send fail. */
  readonly #reopened = new Map<string, Job[]>();

  constructor(deps: RedriveDeadLettersDeps) {
    this.#deps = deps;
  }

  /**
   * A letter's jobs are reopened before it is sent. A letter of one job: a job that has succeeded since makes it
   * stale (discarded), a second letter of a job already redriven in this pass too; a job still unfinished was
   * reopened before (a run retry, a redrive that stopped before its send), and sending it again can only duplicate
   * it, which the worker ignores. A date job's letter reopens its failed members (a date-wide message the queue
   * moved: the watchdog failed them when it found the message here), and the worker fetches for those alone.
   */
  async decide(letter: JobDeadLetter): Promise<RedriveDecision> {
    const { message } = letter;
    const jobs = await this.#jobsOf(message);
    if (jobs === undefined) {
      this.#deps.log.warn('dead letter of a job the run ledger does not know: kept', {
        runId: message.runId,
        ...(message.version === 1 ? { jobId: message.jobId } : { date: message.date }),
      });
      return 'keep';
    }
    const fresh = jobs.filter((job) => !this.#redriven.has(`${message.runId}/${job.jobId}`));
    if (fresh.every((job) => job.status === 'succeeded' && !isReopenable(job))) return 'discard';
    for (const job of fresh) this.#redriven.add(`${message.runId}/${job.jobId}`);
    this.#reopened.set(letter.id, await reopenJobs(message.runId, fresh, this.#deps));
    return 'send';
  }

  /** The jobs a reopened letter's send could not bring back are failed again: its letter stays in the queue. */
  async failAgain(letter: JobDeadLetter, sendError: string): Promise<void> {
    const { message } = letter;
    this.#deps.log.warn('dead letter could not be redriven', {
      runId: message.runId,
      ...(message.version === 1 ? { jobId: message.jobId } : { date: message.date }),
      error: sendError,
    });
    await failAgain(message.runId, this.#reopened.get(letter.id) ?? [], this.#deps);
  }

  /** The letter's jobs as the ledger has them; undefined when it knows none of them. */
  async #jobsOf(message: JobMessage): Promise<Job[] | undefined> {
    if (message.version === 1) {
      const job = await this.#deps.runLedger.getJob(message.runId, message.jobId);
      return job === undefined ? undefined : [job];
    }
    const dateJob = await this.#deps.runLedger.getJob(message.runId, dateJobId(message.date));
    if (dateJob !== undefined) return [dateJob];
    // A run from before date jobs: the date's jobs, each of its own.
    if ((await this.#deps.runLedger.getRun(message.runId)) === undefined) return undefined;
    return allJobs(this.#deps.runLedger, message.runId, (job) => codeOnDate(job.params) === message.date);
  }
}
