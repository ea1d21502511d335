import { businessDateOf } from '#shared/domain/business-date.ts';
import { nextFireTimes, parseCron } from '#shared/domain/cron.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { type Run, scheduledRunId } from '#shared/domain/run.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';

/** A fire time is judged missed once it is this long past with no run (Scheduler retries deliver within minutes). */
export const missedRunGraceMs = 15 * 60_000;
/** How far back fire times are checked; older ones were judged by earlier passes. */
export const missedRunLookbackMs = 24 * 60 * 60_000;

/** What the watchdog recorded. */
export interface MissedRunsReport {
  readonly missed: string[];
  readonly skipped: string[];
}

/**
 * The watchdog: makes "what should have run" answerable. For every enabled group, each fire time that passed more
 * than `missedRunGraceMs` ago without a run is recorded — as `skipped` (with the pause's reason) while the group was
 * paused, else as `missed`. Only fire times after the group's last change are judged, so a new cron or a resume is
 * never blamed for ticks it could not have had. Records are conditional creates: a late tick that arrives afterwards
 * finds its run taken and does nothing, and two watchdogs never record twice.
 */
export async function recordMissedRuns(deps: {
  groupStore: JobGroupStore;
  runLedger: RunLedger;
  clock: Clock;
  log: Log;
}): Promise<MissedRunsReport> {
  const report: MissedRunsReport = { missed: [], skipped: [] };
  const nowMs = deps.clock.now().getTime();
  for (const group of await deps.groupStore.list()) {
    if (!group.enabled) continue;
    try {
      await recordGroup(group, nowMs, deps, report);
    } catch (error) {
      deps.log.error('missed-run check failed', { groupId: group.id, error });
    }
  }
  return report;
}

async function recordGroup(
  group: JobGroup,
  nowMs: number,
  deps: { runLedger: RunLedger; log: Log },
  report: MissedRunsReport,
): Promise<void> {
  const fromMs = Math.max(nowMs - missedRunLookbackMs, Date.parse(group.updatedAt));
  const untilMs = nowMs - missedRunGraceMs;
  if (untilMs <= fromMs) return;
  const expected = nextFireTimes(parseCron(group.schedule), group.timezone, {
    after: new Date(fromMs),
    count: 1000,
  }).filter((instant) => instant.getTime() <= untilMs);
  if (expected.length === 0) return;
  const { items } = await deps.runLedger.listRuns(group.id, { limit: 1000 });
  const recorded = new Set(items.map((run) => run.runId));
  const at = new Date(nowMs).toISOString();
  for (const instant of expected) {
    const scheduledTime = instant.toISOString();
    const runId = scheduledRunId(group.id, scheduledTime);
    if (recorded.has(runId)) continue;
    const paused = group.pause !== null;
    const run: Run = {
      runId,
      groupId: group.id,
      dataSource: group.dataSource,
      dataset: group.dataset,
      trigger: 'scheduled',
      scheduledTime,
      businessDate: businessDateOf(instant, group.timezone),
      status: paused ? 'skipped' : 'missed',
      reason: paused
        ? `group paused: ${group.pause?.reason ?? ''}`
        : `no tick arrived within ${missedRunGraceMs / 60_000} minutes of the fire time`,
      counters: { total: 0, succeeded: 0, failed: 0, dead: 0 },
      upstreamRequests: 0,
      createdAt: at,
      updatedAt: at,
      finishedAt: at,
    };
    if (!(await deps.runLedger.claimRun(run))) continue;
    (paused ? report.skipped : report.missed).push(runId);
    if (!paused) deps.log.warn('run missed', { groupId: group.id, runId, scheduledTime });
  }
}
