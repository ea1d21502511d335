import { backfillRunId } from '#shared/domain/backfill.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { isActive, type JobGroup, marketCalendarOf } from '#shared/domain/job-group.ts';
import {
  compactInstant,
  dependencyRunId,
  finishedJobStatuses,
  newRun,
  type Run,
  type RunTrigger,
  scheduledRunId,
} from '#shared/domain/run.ts';
import { isGoing } from '#shared/domain/run-transitions.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import {
  type DispatchDeps,
  type DispatchOutcome,
  duplicateOf,
  enqueueJobs,
  failDispatch,
  sendJobs,
} from '#shared/use-cases/launch-run.ts';
import { runSettled } from '#shared/use-cases/run-finished.ts';
import {
  failWaiting,
  inactiveReason,
  judgeDependenciesOf,
  rejudge,
  waitingDeadline,
} from '#shared/use-cases/wait-for-dependencies.ts';

export type { DispatchDeps, DispatchOutcome } from '#shared/use-cases/launch-run.ts';

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

/** The reason a fire time on a JPX non-trading day is skipped. */
export const marketHoliday = 'market-holiday';

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
