import { type MetricName, metricNames } from '#shared/observability/metric-names.ts';
import type { ReconcileReport } from '#shared/use-cases/reconcile-schedules.ts';
import type { MissedRunsReport } from '#shared/use-cases/record-missed-runs.ts';
import type { SupervisionReport } from '#shared/use-cases/supervise-runs.ts';

/**
 * The counts one pass publishes (every pass, zeros included, without dimensions), read from its use cases' reports.
 * The reconciler publishes them; the test that holds every metric of the dashboard and the alarms to an emitter
 * reads them here.
 */
export function countPass(
  report: ReconcileReport,
  runs: MissedRunsReport,
  supervision: SupervisionReport,
  freshness: FreshnessReport,
): (readonly [MetricName, number])[] {
  return [
    [metricNames.groupsLate, freshness.late.length],
    [metricNames.calendarCoverageShort, freshness.calendarCoverageShort ? 1 : 0],
    [metricNames.runsMissed, runs.missed.length],
    [metricNames.runsCaughtUp, runs.caughtUp.length],
    [metricNames.schedulesRepaired, report.created.length + report.updated.length + report.deleted.length],
    [metricNames.groupsResumed, report.resumed.length],
    [metricNames.scheduleRepairsFailed, report.failed.length],
    [metricNames.unreadableGroups, report.unreadable.length],
    [metricNames.runsTimedOut, supervision.timedOut.length],
    [metricNames.jobMessagesResent, supervision.resent],
  ];
}

/** Which groups are late, and whether the stored JPX calendar runs out within 30 days. */
export interface FreshnessReport {
  readonly late: readonly string[];
  readonly calendarCoverageShort: boolean;
}
