import { requireDataset } from '#shared/datasets/registry.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { isActive, type JobGroup } from '#shared/domain/job-group.ts';
import { planRequests } from '#shared/domain/request-planning.ts';
import { compactInstant, type Job, type Run, type RunTrigger, scheduledRunId } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import type { ListedCodesSource } from '#shared/ports/listed-codes-source.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';
import { expandJobs } from '#shared/use-cases/expand-jobs.ts';

/** What to dispatch: a scheduled tick, or an operator's run-now. */
export interface DispatchRequest {
  readonly groupId: string;
  /** The tick's scheduled time (scheduled runs) or the request time (manual runs), an ISO instant. */
  readonly scheduledTime: string;
  /** @default 'scheduled' */
  readonly trigger?: RunTrigger;
  /** Overrides the business date (manual runs); otherwise the scheduled time's date in the group's timezone. */
  readonly businessDate?: string;
  /** Dispatch even beside a run still going, whatever the group's overlap policy (catch-up `all`). @default false */
  readonly allowOverlap?: boolean;
}

export interface DispatchDeps {
  readonly groupStore: JobGroupStore;
  readonly runLedger: RunLedger;
  readonly queues: Readonly<Record<DataSourceId, JobQueue>>;
  readonly listedCodes: ListedCodesSource;
  readonly tradingCalendar: TradingCalendar;
  readonly clock: Clock;
  readonly log: Log;
}

/** What a dispatch did. */
export type DispatchOutcome =
  | { readonly outcome: 'dispatched'; readonly run: Run; readonly messages: number }
  | { readonly outcome: 'skipped' | 'failed'; readonly run: Run }
  | { readonly outcome: 'duplicate'; readonly run: Run }
  | { readonly outcome: 'no-group' };

/** Runs still going: a new tick of an `overlap: skip` group does not pile onto them. */
const unfinishedRunStatuses: ReadonlySet<Run['status']> = new Set(['dispatching', 'running']);

/** Thrown when some job messages could not be enqueued: the tick is retried and resumes the run. */
export class EnqueueError extends Error {
  override readonly name = 'EnqueueError';
}

/**
 * Turns a tick into a run (design §2): claims the run for (group, scheduled time) with a conditional write, so a
 * second delivery of the same tick does nothing; records a disabled or paused group's tick as `skipped`; expands
 * and validates the jobs, stores them, plans the upstream requests and enqueues them. A dispatch interrupted
 * midway is resumed by the next delivery of its tick: stored jobs keep their progress and only unfinished ones
 * are enqueued again (workers are idempotent).
 */
export async function dispatchRun(request: DispatchRequest, deps: DispatchDeps): Promise<DispatchOutcome> {
  const group = await deps.groupStore.get(request.groupId);
  if (group === undefined) {
    deps.log.warn('tick for a group that no longer exists', { groupId: request.groupId });
    return { outcome: 'no-group' };
  }
  const trigger = request.trigger ?? 'scheduled';
  const now = deps.clock.now().toISOString();
  const run: Run = {
    runId: trigger === 'scheduled' ? scheduledRunId(group.id, request.scheduledTime) : manualRunId(group.id, now),
    groupId: group.id,
    dataSource: group.dataSource,
    dataset: group.dataset,
    trigger,
    scheduledTime: new Date(request.scheduledTime).toISOString(),
    businessDate: request.businessDate ?? businessDateOf(new Date(request.scheduledTime), group.timezone),
    status: 'dispatching',
    counters: { total: 0, succeeded: 0, failed: 0, dead: 0 },
    upstreamRequests: 0,
    createdAt: now,
    updatedAt: now,
  };

  if (trigger === 'scheduled' && !isActive(group)) {
    const reason = group.pause === null ? 'group disabled' : `group paused: ${group.pause.reason}`;
    const skipped: Run = { ...run, status: 'skipped', reason, finishedAt: now };
    if (!(await deps.runLedger.claimRun(skipped))) return duplicateOf(run.runId, deps);
    deps.log.info('run skipped', { groupId: group.id, runId: run.runId, reason });
    return { outcome: 'skipped', run: skipped };
  }

  if (trigger === 'scheduled' && group.overlap === 'skip' && request.allowOverlap !== true) {
    const { items } = await deps.runLedger.listRuns(group.id, { limit: 10 });
    const going = items.find((other) => other.runId !== run.runId && unfinishedRunStatuses.has(other.status));
    if (going !== undefined) {
      const reason = `overlap: run ${going.runId} is still ${going.status}`;
      const skipped: Run = { ...run, status: 'skipped', reason, finishedAt: now };
      if (!(await deps.runLedger.claimRun(skipped))) return duplicateOf(run.runId, deps);
      deps.log.info('run skipped', { groupId: group.id, runId: run.runId, reason });
      return { outcome: 'skipped', run: skipped };
    }
  }

  const resumed = !(await deps.runLedger.claimRun(run));
  if (resumed) {
    const existing = await deps.runLedger.getRun(run.runId);
    if (existing?.status !== 'dispatching') return duplicateOf(run.runId, deps);
    deps.log.info('resuming an interrupted dispatch', { groupId: group.id, runId: run.runId });
  }
  return enqueueJobs(group, run, resumed, deps);
}

async function enqueueJobs(group: JobGroup, run: Run, resumed: boolean, deps: DispatchDeps): Promise<DispatchOutcome> {
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
    const failed = await deps.runLedger.updateRun(run.runId, {
      status: 'failed',
      reason: `the template did not expand: ${error.message}`,
      at: deps.clock.now().toISOString(),
    });
    deps.log.error('run failed: template did not expand', { groupId: group.id, runId: run.runId, error });
    return { outcome: 'failed', run: failed };
  }

  const at = deps.clock.now().toISOString();
  const jobs: Job[] = expanded.map(({ jobId, params }) => ({
    runId: run.runId,
    jobId,
    params: params as Job['params'],
    status: 'queued',
    attemptsMade: 0,
    maxAttempts: group.maxAttempts,
    deadLettered: false,
    updatedAt: at,
  }));
  // The total is known before any job can finish, so the run cannot look complete too early.
  await deps.runLedger.updateRun(run.runId, { status: 'dispatching', total: jobs.length, at });
  await deps.runLedger.addJobs(run.runId, jobs);

  // A resumed dispatch re-sends only what has not finished; a fresh one sends every job.
  const pending = resumed ? await unfinishedJobIds(run.runId, deps.runLedger) : undefined;
  const plan = planRequests(dataset, pending === undefined ? jobs : jobs.filter((job) => pending.has(job.jobId)));
  const base = {
    runId: run.runId,
    groupId: group.id,
    dataSource: group.dataSource,
    dataset: group.dataset,
    businessDate: run.businessDate,
  };
  const messages: JobMessage[] = [
    ...plan.dateWide.map((request) => ({ version: 2 as const, ...base, date: request.date })),
    ...plan.perJob.map((job) => ({
      version: 1 as const,
      ...base,
      jobId: job.jobId,
      params: job.params as Job['params'],
    })),
  ];
  const sent = await deps.queues[group.dataSource].send(messages);
  if (sent.failed.length > 0) {
    throw new EnqueueError(
      `${sent.failed.length} of ${messages.length} job messages of run ${run.runId} could not be enqueued: ${sent.failed[0]?.error}`,
    );
  }
  const running = await deps.runLedger.updateRun(run.runId, { status: 'running', at: deps.clock.now().toISOString() });
  deps.log.info('run dispatched', {
    groupId: group.id,
    runId: run.runId,
    businessDate: run.businessDate,
    count: jobs.length,
    messages: messages.length,
  });
  return { outcome: 'dispatched', run: running, messages: messages.length };
}

async function unfinishedJobIds(runId: string, ledger: RunLedger): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const status of ['queued', 'retrying', 'running'] as const) {
    let cursor: string | undefined;
    do {
      const page = await ledger.listJobs(runId, { status, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const job of page.items) ids.add(job.jobId);
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  return ids;
}

async function duplicateOf(runId: string, deps: DispatchDeps): Promise<DispatchOutcome> {
  const run = await deps.runLedger.getRun(runId);
  if (run === undefined) throw new Error(`run ${runId} was claimed but cannot be read`);
  deps.log.info('duplicate tick ignored', { groupId: run.groupId, runId });
  return { outcome: 'duplicate', run };
}

/** The id of a manual run: the group, the request time and a marker, unique per request. */
function manualRunId(groupId: string, requestedAt: string): string {
  return `${groupId}.${compactInstant(requestedAt)}.manual-${Math.random().toString(36).slice(2, 6)}`;
}
