import { requireDataset } from '#shared/datasets/registry.ts';
import { backfillRunId } from '#shared/domain/backfill.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import type { DataSourceId } from '#shared/domain/data-source.ts';
import { defaultSettings, effectiveRateLimit } from '#shared/domain/data-source-settings.ts';
import { runJobsOf } from '#shared/domain/date-jobs.ts';
import { type DependencyVerdict, judgeDependencies } from '#shared/domain/dependencies.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { isActive, type JobGroup, marketCalendarOf } from '#shared/domain/job-group.ts';
import {
  compactInstant,
  dependencyRunId,
  finishedJobStatuses,
  type Job,
  newRun,
  type Run,
  type RunTrigger,
  scheduledRunId,
} from '#shared/domain/run.ts';
import { runDeadlineMs } from '#shared/domain/run-deadline.ts';
import { isGoing } from '#shared/domain/run-transitions.ts';
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
import { type RunFinishedDeps, reportFinish, runSettled } from '#shared/use-cases/run-finished.ts';

/** What to dispatch: a scheduled tick, an operator's run-now, or a run whose dispatch was interrupted. */
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
  /** Resume this run, still `dispatching` (the watchdog's repair of an interrupted dispatch, of any trigger). */
  readonly runId?: string;
  /** The backfill this run is a date of (trigger `backfill`, with its `businessDate`): it names the run. */
  readonly backfillId?: string;
  /**
   * Started because an upstream group's run finished (`checkDependents`): like a scheduled tick, it waits for its
   * group's dependencies. @default false
   */
  readonly asDependent?: boolean;
  /** The run's id, when the caller names it (a dependent run of a backfill). */
  readonly newRunId?: string;
}

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

/**
 * Turns a tick into a run (design §2): claims the run for (group, scheduled time) with a conditional write, so a
 * second delivery of the same tick does nothing; records a disabled or paused group's tick as `skipped`, and so a
 * tick of an `overlap: skip` group while its previous run is still going (within its deadline); expands and
 * validates the jobs, stores them, plans the upstream requests and enqueues them, then sets the run `running` with
 * its deadline. A dispatch interrupted midway is resumed by the next delivery of its tick, or by the watchdog
 * (`runId`): stored jobs keep their progress and only unfinished ones are enqueued again (workers are idempotent).
 */
export async function dispatchRun(request: DispatchRequest, deps: DispatchDeps): Promise<DispatchOutcome> {
  const group = await deps.groupStore.get(request.groupId);
  if (request.runId !== undefined) return resumeDispatch(group, request.runId, deps);
  if (group === undefined) {
    deps.log.warn('tick for a group that no longer exists', { groupId: request.groupId });
    return { outcome: 'no-group' };
  }
  const trigger = request.trigger ?? 'scheduled';
  const now = deps.clock.now();
  const at = now.toISOString();
  const businessDate = request.businessDate ?? businessDateOf(new Date(request.scheduledTime), group.timezone);
  const identity = {
    runId: runIdOf(request, group.id, businessDate, at),
    ...(request.backfillId === undefined ? {} : { backfillId: request.backfillId }),
    groupId: group.id,
    dataSource: group.dataSource,
    dataset: group.dataset,
    trigger,
    scheduledTime: new Date(request.scheduledTime).toISOString(),
    businessDate,
    at,
  };

  // A disabled or paused group starts nothing by itself, on its schedule or after its dependencies; an operator's
  // run-now and a backfill are asked for.
  if ((trigger === 'scheduled' || trigger === 'dependency') && !isActive(group)) {
    return recordSkipped(newRun({ ...identity, status: 'skipped', reason: inactiveReason(group) }), deps);
  }
  if (trigger === 'scheduled' && group.overlap === 'skip' && request.allowOverlap !== true) {
    const { items } = await deps.runLedger.listRuns(group.id, { limit: 10 });
    const going = items.find((other) => other.runId !== identity.runId && isGoing(other, now.getTime()));
    if (going !== undefined) {
      const reason = `overlap: run ${going.runId} is still ${going.status}`;
      return recordSkipped(newRun({ ...identity, status: 'skipped', reason }), deps);
    }
  }

  if (trigger === 'scheduled' && marketCalendarOf(group) === 'jpx') {
    // A day the stored JPX calendar marks closed is no trading day: nothing to fetch. Not covered: it fires.
    if ((await deps.tradingCalendar.businessDays(businessDate, businessDate))?.length === 0) {
      return recordSkipped(newRun({ ...identity, status: 'skipped', reason: marketHoliday }), deps);
    }
  }
  if (group.dependsOn.length > 0 && (trigger === 'scheduled' || request.asDependent === true)) {
    const verdict = await judgeDependenciesOf(group, businessDate, deps);
    if (verdict.kind === 'unmet') {
      return recordSkipped(
        newRun({ ...identity, status: 'skipped', reason: verdict.reason, blockedBy: 'dependencies' }),
        deps,
      );
    }
    if (verdict.kind === 'waiting')
      return recordWaiting(
        group,
        newRun({
          ...identity,
          status: 'waiting',
          reason: verdict.reason,
          blockedBy: 'dependencies',
          deadlineAt: await waitingDeadline(group, now, deps),
        }),
        deps,
      );
  }

  const run = newRun({ ...identity, status: 'dispatching' });
  if (await deps.runLedger.claimRun(run)) return enqueueJobs(group, run, false, deps);
  return resumeDispatch(group, run.runId, deps);
}

/** Why a disabled or paused group's run is skipped. */
function inactiveReason(group: JobGroup): string {
  return group.pause === null ? 'group disabled' : `group paused: ${group.pause.reason}`;
}

/** The reason a fire time on a JPX non-trading day is skipped. */
export const marketHoliday = 'market-holiday';

/** The verdict on the group's dependencies for `businessDate`, from the upstream groups' runs of that date. */
async function judgeDependenciesOf(
  group: JobGroup,
  businessDate: string,
  deps: DispatchDeps,
): Promise<DependencyVerdict> {
  const runs = new Map<string, Run[]>();
  for (const upstream of group.dependsOn) {
    runs.set(upstream, await deps.runLedger.listRunsOfDates(upstream, { from: businessDate, to: businessDate }));
  }
  return judgeDependencies(group.dependencyRule, group.dependsOn, (groupId) => runs.get(groupId) ?? []);
}

/** A waiting run waits at most as long as the group's run deadline, or the minimum one. */
async function waitingDeadline(group: JobGroup, now: Date, deps: DispatchDeps): Promise<string> {
  return new Date(now.getTime() + (await deadlineOf(group.dataSource, group.runDeadline, 0, deps))).toISOString();
}

async function recordWaiting(group: JobGroup, waiting: Run, deps: DispatchDeps): Promise<DispatchOutcome> {
  if (!(await deps.runLedger.claimRun(waiting))) return resumeDispatch(group, waiting.runId, deps);
  deps.log.info('run waits for its dependencies', {
    groupId: waiting.groupId,
    runId: waiting.runId,
    reason: waiting.reason,
  });
  return { outcome: 'waiting', run: waiting };
}

/**
 * Judges the dependencies of a run that waits for them (or was skipped because they had failed) again: met, it is
 * dispatched; failed, a waiting one is skipped; still waiting past its deadline, it fails.
 */
async function rejudge(group: JobGroup, run: Run, deps: DispatchDeps): Promise<DispatchOutcome> {
  const verdict = await judgeDependenciesOf(group, run.businessDate, deps);
  const at = deps.clock.now().toISOString();
  // A group disabled or paused since the run began waiting does not start it; a pause is never replayed.
  if (verdict.kind === 'met' && !isActive(group) && run.trigger !== 'backfill') {
    if (run.status !== 'waiting') return duplicateOf(run, deps);
    const change = await deps.runLedger.updateRun(run.runId, {
      kind: 'dependencies-unmet',
      at,
      reason: inactiveReason(group),
    });
    await reportFinish(change, deps);
    return { outcome: 'skipped', run: change.run };
  }
  if (verdict.kind === 'met') {
    const change = await deps.runLedger.updateRun(run.runId, { kind: 'dependencies-met', at });
    if (change.refused !== undefined) return duplicateOf(change.run, deps);
    deps.log.info('dependencies met: run dispatched', { groupId: group.id, runId: run.runId });
    return enqueueJobs(group, change.run, false, deps);
  }
  if (run.status !== 'waiting') return duplicateOf(run, deps);
  const timedOut = verdict.kind === 'waiting' && Date.parse(run.deadlineAt ?? at) <= Date.parse(at);
  if (verdict.kind === 'waiting' && !timedOut) return { outcome: 'waiting', run };
  if (timedOut) return failWaiting(run, `timed out ${verdict.reason}`, deps);
  const change = await deps.runLedger.updateRun(run.runId, { kind: 'dependencies-unmet', at, reason: verdict.reason });
  await reportFinish(change, deps);
  return { outcome: 'skipped', run: change.run };
}

/** A waiting run that can wait no more (its deadline passed, its group was deleted) fails, saying why. */
async function failWaiting(run: Run, reason: string, deps: DispatchDeps): Promise<DispatchOutcome> {
  const at = deps.clock.now().toISOString();
  const change = await deps.runLedger.updateRun(run.runId, { kind: 'dependencies-unmet', at, reason, timedOut: true });
  await reportFinish(change, deps);
  return { outcome: 'failed', run: change.run };
}

/**
 * Resumes a run still `dispatching`. A planned run has its jobs stored and goes on from the ledger, even if its group
 * has since been deleted; an unplanned one needs its group to expand its template, and fails without it.
 */
async function resumeDispatch(
  group: JobGroup | undefined,
  runId: string,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  const existing = await deps.runLedger.getRun(runId);
  if (existing === undefined) throw new Error(`run ${runId} was claimed but cannot be read`);
  if (existing.blockedBy === 'dependencies') {
    if (group !== undefined) return rejudge(group, existing, deps);
    if (existing.status === 'waiting') return failWaiting(existing, 'its group was deleted', deps);
  }
  if (existing.status !== 'dispatching') return duplicateOf(existing, deps);
  deps.log.info('resuming an interrupted dispatch', { groupId: existing.groupId, runId });
  if (group !== undefined) return enqueueJobs(group, existing, true, deps);
  if (existing.plannedAt === undefined)
    return failDispatch(existing, 'its group was deleted before it was planned', deps);
  const jobs = await allJobs(deps.runLedger, runId, (job) => !finishedJobStatuses.has(job.status));
  return sendJobs(existing, jobs, undefined, deps, true);
}

async function recordSkipped(skipped: Run, deps: DispatchDeps): Promise<DispatchOutcome> {
  if (!(await deps.runLedger.claimRun(skipped))) {
    const existing = await deps.runLedger.getRun(skipped.runId);
    if (existing === undefined) throw new Error(`run ${skipped.runId} was claimed but cannot be read`);
    return duplicateOf(existing, deps);
  }
  deps.log.info('run skipped', { groupId: skipped.groupId, runId: skipped.runId, reason: skipped.reason });
  // A holiday or a pause here is its dependents' too.
  await runSettled(skipped, deps);
  return { outcome: 'skipped', run: skipped };
}

async function enqueueJobs(group: JobGroup, run: Run, resumed: boolean, deps: DispatchDeps): Promise<DispatchOutcome> {
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
async function sendJobs(
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

async function failDispatch(run: Run, reason: string, deps: DispatchDeps): Promise<DispatchOutcome> {
  const change = await deps.runLedger.updateRun(run.runId, {
    kind: 'dispatch-failed',
    reason,
    at: deps.clock.now().toISOString(),
  });
  await reportFinish(change, deps);
  return { outcome: 'failed', run: change.run };
}

/** The run's time from `running` to its deadline: the group's own, or one from its requests and the plan's limit. */
async function deadlineOf(
  dataSource: DataSourceId,
  runDeadline: JobGroup['runDeadline'] | undefined,
  requests: number,
  deps: DispatchDeps,
): Promise<number> {
  const settings = (await deps.settingsStore.get(dataSource)) ?? defaultSettings(dataSource, new Date(0).toISOString());
  return runDeadlineMs({ runDeadline, requests, rateLimit: effectiveRateLimit(settings) });
}

function duplicateOf(run: Run, deps: DispatchDeps): DispatchOutcome {
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

/** A scheduled tick's run id is its tick's; a backfill's, its date's; a manual run's, unique per request. */
function runIdOf(request: DispatchRequest, groupId: string, businessDate: string, at: string): string {
  if (request.newRunId !== undefined) return request.newRunId;
  if (request.backfillId !== undefined) return backfillRunId(request.backfillId, businessDate);
  if (request.trigger === 'dependency') return dependencyRunId(groupId, businessDate);
  return (request.trigger ?? 'scheduled') === 'scheduled'
    ? scheduledRunId(groupId, request.scheduledTime)
    : manualRunId(groupId, at);
}

/** The id of a manual run: the group, the request time and a marker, unique per request. */
function manualRunId(groupId: string, requestedAt: string): string {
  return `${groupId}.${compactInstant(requestedAt)}.manual-${Math.random().toString(36).slice(2, 6)}`;
}
