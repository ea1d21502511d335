import { requireDataset } from '#shared/datasets/registry.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import { defaultSettings, effectiveRateLimit } from '#shared/domain/data-source-settings.ts';
import { runJobsOf } from '#shared/domain/date-jobs.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { finishedJobStatuses, type Job, type Run } from '#shared/domain/run.ts';
import { runDeadlineMs } from '#shared/domain/run-deadline.ts';
import type { Log } from '#shared/observability/logger.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { type MetricsSink, noMetrics } from '#shared/observability/metrics.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import type { ListedCodesSource } from '#shared/ports/listed-codes-source.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import { expandJobs } from '#shared/use-cases/expand-jobs.ts';
import { messagesForJobs } from '#shared/use-cases/job-messages.ts';
import { type RunFinishedDeps, reportFinish } from '#shared/use-cases/run-finished.ts';

/*
 * Launching a claimed run: planning its jobs (expanding the group's template, or jobs given), storing them, sending
 * their messages and setting the run `running` with its deadline. The dispatcher (`dispatchRun`) decides whether a
 * run starts; this module starts it.
 */

/** What dispatching and launching a run work through. */
export interface DispatchDeps extends RunFinishedDeps {
  readonly groupStore: JobGroupStore;
  readonly runLedger: RunLedger;
  readonly queues: Readonly<Record<DataSourceId, JobQueue>>;
  readonly listedCodes: ListedCodesSource;
  readonly tradingCalendar: TradingCalendar;
  /** The data sources' plans and limits, which set a run's default deadline. */
  readonly settingsStore: DataSourceSettingsStore;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics?: MetricsSink;
}

/** What a dispatch did. */
export type DispatchOutcome =
  | { readonly outcome: 'dispatched'; readonly run: Run; readonly messages: number }
  | { readonly outcome: 'skipped' | 'failed'; readonly run: Run }
  /** Recorded `waiting` for its group's dependencies: an upstream run's finish, or the watchdog, dispatches it. */
  | { readonly outcome: 'waiting'; readonly run: Run }
  | { readonly outcome: 'duplicate'; readonly run: Run }
  | { readonly outcome: 'no-group' };

/** Thrown when some job messages could not be enqueued: the tick is retried and resumes the run. */
export class EnqueueError extends Error {
  override readonly name = 'EnqueueError';
}

export async function enqueueJobs(
  group: JobGroup,
  run: Run,
  resumed: boolean,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  let jobs: readonly Job[];
  if (run.plannedAt === undefined) {
    const planned = await planJobs(group, run, deps);
    if ('failed' in planned) return planned.failed;
    jobs = planned.jobs;
  } else {
    // Its jobs were all stored before any message was sent: a resumed dispatch sends those that have not finished.
    jobs = await allJobs(deps.runLedger, run.runId, (job) => !finishedJobStatuses.has(job.status));
  }
  return sendJobs(run, jobs, group.runDeadline, deps, resumed);
}

/**
 * Expands the template and stores the run's jobs, then says how many there are (`planned`): once planned, the run's
 * jobs are settled, and a resumed dispatch reads them from the ledger. Until then no message is sent, so an
 * interrupted dispatch stores them again from scratch.
 */
async function planJobs(
  group: JobGroup,
  run: Run,
  deps: DispatchDeps,
): Promise<{ jobs: readonly Job[] } | { failed: DispatchOutcome }> {
  const dataset = requireDataset(group.dataset);
  let expanded: Awaited<ReturnType<typeof expandJobs>>;
  try {
    expanded = await expandJobs(
      {
        template: group.parametersTemplate,
        dataset,
        scheduledTime: run.scheduledTime,
        timezone: group.timezone,
        businessDate: run.businessDate,
      },
      deps,
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    deps.log.error('run failed: template did not expand', { groupId: group.id, runId: run.runId, error });
    return { failed: await failDispatch(run, `the template did not expand: ${error.message}`, deps) };
  }
  const at = deps.clock.now().toISOString();
  const planned = runJobsOf(dataset, expanded, { runId: run.runId, maxAttempts: group.maxAttempts, at });
  await deps.runLedger.addJobs(run.runId, planned.jobs, planned.members);
  // The total is known before any job can finish, so the run cannot look complete too early.
  await deps.runLedger.updateRun(run.runId, { kind: 'planned', total: planned.total, at });
  return { jobs: planned.jobs };
}

/** Sends the jobs' messages, then sets the run `running` with its deadline. */
export async function sendJobs(
  run: Run,
  jobs: readonly Job[],
  runDeadline: JobGroup['runDeadline'] | undefined,
  deps: DispatchDeps,
  resumed: boolean,
): Promise<DispatchOutcome> {
  const messages = messagesForJobs(run, jobs).map(({ message }) => message);
  const sent = await deps.queues[run.dataSource].send(messages);
  if (sent.failed.length > 0) {
    throw new EnqueueError(
      `${sent.failed.length} of ${messages.length} job messages of run ${run.runId} could not be enqueued: ${sent.failed[0]?.error}`,
    );
  }
  const now = deps.clock.now();
  const deadlineMs = await deadlineOf(run.dataSource, runDeadline, messages.length, deps);
  const deadlineAt = new Date(now.getTime() + deadlineMs).toISOString();
  const change = await deps.runLedger.updateRun(run.runId, { kind: 'enqueued', at: now.toISOString(), deadlineAt });
  if (change.refused === undefined) {
    const dimensions = { dataSource: run.dataSource, dataset: run.dataset, group: run.groupId };
    (deps.metrics ?? noMetrics).count(metricNames.runsStarted, 1, dimensions);
  }
  await reportFinish(change, deps);
  deps.log.info(resumed ? 'interrupted dispatch resumed' : 'run dispatched', {
    groupId: run.groupId,
    runId: run.runId,
    businessDate: run.businessDate,
    count: change.run.counters.total,
    messages: messages.length,
    deadlineAt,
  });
  return { outcome: 'dispatched', run: change.run, messages: messages.length };
}

export async function failDispatch(run: Run, reason: string, deps: DispatchDeps): Promise<DispatchOutcome> {
  const change = await deps.runLedger.updateRun(run.runId, {
    kind: 'dispatch-failed',
    reason,
    at: deps.clock.now().toISOString(),
  });
  await reportFinish(change, deps);
  return { outcome: 'failed', run: change.run };
}

/** The run's time from `running` to its deadline: the group's own, or one from its requests and the plan's limit. */
export async function deadlineOf(
  dataSource: DataSourceId,
  runDeadline: JobGroup['runDeadline'] | undefined,
  requests: number,
  deps: DispatchDeps,
): Promise<number> {
  const settings = (await deps.settingsStore.get(dataSource)) ?? defaultSettings(dataSource, new Date(0).toISOString());
  return runDeadlineMs({ runDeadline, requests, rateLimit: effectiveRateLimit(settings) });
}

export function duplicateOf(run: Run, deps: DispatchDeps): DispatchOutcome {
  deps.log.info('duplicate tick ignored', { groupId: run.groupId, runId: run.runId });
  return { outcome: 'duplicate', run };
}

/**
 * Starts a run whose jobs are given rather than expanded from its group's template (a backfill's calendar or range
 * requests): claims it, stores its jobs, sends them. A run claimed before is resumed (from the ledger once planned).
 */
export async function launchRun(run: Run, jobs: readonly Job[], deps: DispatchDeps): Promise<DispatchOutcome> {
  if (!(await deps.runLedger.claimRun(run))) {
    const existing = await deps.runLedger.getRun(run.runId);
    if (existing === undefined) throw new Error(`run ${run.runId} was claimed but cannot be read`);
    if (existing.status !== 'dispatching') return duplicateOf(existing, deps);
    if (existing.plannedAt !== undefined) {
      const unfinished = await allJobs(deps.runLedger, run.runId, (job) => !finishedJobStatuses.has(job.status));
      return sendJobs(existing, unfinished, undefined, deps, true);
    }
  }
  await deps.runLedger.addJobs(run.runId, jobs);
  await deps.runLedger.updateRun(run.runId, {
    kind: 'planned',
    total: jobs.length,
    at: deps.clock.now().toISOString(),
  });
  return sendJobs(run, jobs, undefined, deps, false);
}
