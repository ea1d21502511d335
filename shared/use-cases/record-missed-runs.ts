import { businessDateOf } from '#shared/domain/business-date.ts';
import { nextFireTimes, parseCron } from '#shared/domain/cron.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { newRun, scheduledRunId } from '#shared/domain/run.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import type { DispatchOutcome, DispatchRequest } from '#shared/use-cases/dispatch-run.ts';

/** A fire time is judged missed once it is this long past with no run (Scheduler retries deliver within minutes). */
export const missedRunGraceMs = 15 * 60_000;
/** How far back fire times are checked; older ones were judged by earlier passes. */
export const missedRunLookbackMs = 24 * 60 * 60_000;

/** What the watchdog did, by run id. */
export interface MissedRunsReport {
  /** Recorded `missed` (catch-up `none`, or the older fire times under `latest`). */
  readonly missed: string[];
  /** Recorded `skipped`: the group was paused, or a catch-up met a run still going under overlap `skip`. */
  readonly skipped: string[];
  /** Dispatched late under the group's catch-up policy. */
  readonly caughtUp: string[];
}

/** Dispatches one tick exactly as the dispatcher does (claim, expand, enqueue); a claimed run is resumed. */
export type DispatchTick = (request: DispatchRequest) => Promise<DispatchOutcome>;

/**
 * The watchdog: makes "what should have run" answerable, and runs what should still run. For every enabled group,
 * each fire time that passed more than `missedRunGraceMs` ago without a run is handled by the group's `catchUp`
 * policy: `none` records it `missed`; `latest` dispatches the most recent one and records the older ones `missed`;
 * `all` dispatches each (beside one another: overlap applies to live ticks, and the rate limiter paces them all).
 * While the group is paused they are recorded `skipped` with the pause's reason, whatever the policy. (Runs that
 * began and did not finish are `superviseRuns`'s.)
 *
 * Only fire times after the group's last change are judged, so a new cron or a resume is never blamed for ticks it
 * could not have had. Records and dispatches claim the tick's own run id: a late tick that arrives afterwards finds
 * its run taken and does nothing, and two watchdogs never act twice.
 */
export async function recordMissedRuns(deps: {
  groupStore: JobGroupStore;
  runLedger: RunLedger;
  dispatch: DispatchTick;
  clock: Clock;
  log: Log;
}): Promise<MissedRunsReport> {
  const report: MissedRunsReport = { missed: [], skipped: [], caughtUp: [] };
  const nowMs = deps.clock.now().getTime();
  // Unreadable groups are the reconciler's to report; the watchdog judges the others.
  for (const group of (await deps.groupStore.list()).groups) {
    if (!group.enabled) continue;
    try {
      await watchGroup(group, nowMs, deps, report);
    } catch (error) {
      deps.log.error('missed-run check failed', { groupId: group.id, error });
    }
  }
  return report;
}

async function watchGroup(
  group: JobGroup,
  nowMs: number,
  deps: { runLedger: RunLedger; dispatch: DispatchTick; log: Log },
  report: MissedRunsReport,
): Promise<void> {
  // A group without a schedule has no fire times to miss.
  if (group.schedule === null) return;
  const fromMs = Math.max(nowMs - missedRunLookbackMs, Date.parse(group.updatedAt));
  const untilMs = nowMs - missedRunGraceMs;
  if (untilMs <= fromMs) return;
  const expected = nextFireTimes(parseCron(group.schedule), group.timezone, {
    after: new Date(fromMs),
    count: 1000,
  }).filter((instant) => instant.getTime() <= untilMs);
  if (expected.length === 0) return;
  const { items } = await deps.runLedger.listRuns(group.id, { limit: 1000 });
  const runs = new Map(items.map((run) => [run.runId, run]));
  const unrun: Date[] = [];
  for (const instant of expected) {
    if (!runs.has(scheduledRunId(group.id, instant.toISOString()))) unrun.push(instant);
  }
  if (unrun.length === 0) return;
  if (group.pause !== null) {
    for (const instant of unrun) await recordUnrun(group, instant, nowMs, 'skipped', deps, report);
    return;
  }
  const toDispatch = group.catchUp === 'all' ? unrun : group.catchUp === 'latest' ? unrun.slice(-1) : [];
  for (const instant of unrun) {
    if (toDispatch.includes(instant)) await dispatchLate(group, instant.toISOString(), deps, report);
    else await recordUnrun(group, instant, nowMs, 'missed', deps, report);
  }
}

async function dispatchLate(
  group: JobGroup,
  scheduledTime: string,
  deps: { dispatch: DispatchTick; log: Log },
  report: MissedRunsReport,
): Promise<void> {
  const outcome = await deps.dispatch({ groupId: group.id, scheduledTime, allowOverlap: group.catchUp === 'all' });
  // The dispatcher records a tick it skips (paused meanwhile, overlap); a duplicate was handled by someone else.
  if (outcome.outcome === 'skipped') report.skipped.push(outcome.run.runId);
  if (outcome.outcome !== 'dispatched' && outcome.outcome !== 'failed') return;
  report.caughtUp.push(outcome.run.runId);
  deps.log.warn('missed run caught up', { groupId: group.id, runId: outcome.run.runId, scheduledTime });
}

async function recordUnrun(
  group: JobGroup,
  instant: Date,
  nowMs: number,
  status: 'missed' | 'skipped',
  deps: { runLedger: RunLedger; log: Log },
  report: MissedRunsReport,
): Promise<void> {
  const scheduledTime = instant.toISOString();
  const at = new Date(nowMs).toISOString();
  const run = newRun({
    runId: scheduledRunId(group.id, scheduledTime),
    groupId: group.id,
    dataSource: group.dataSource,
    dataset: group.dataset,
    trigger: 'scheduled',
    scheduledTime,
    businessDate: businessDateOf(instant, group.timezone),
    status,
    reason:
      status === 'skipped'
        ? `group paused: ${group.pause?.reason ?? ''}`
        : `no tick arrived within ${missedRunGraceMs / 60_000} minutes of the fire time`,
    at,
  });
  if (!(await deps.runLedger.claimRun(run))) return;
  report[status].push(run.runId);
  if (status === 'missed') deps.log.warn('run missed', { groupId: group.id, runId: run.runId, scheduledTime });
}
