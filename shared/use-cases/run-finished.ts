import type { Run } from '#shared/domain/run.ts';
import type { Log } from '#shared/observability/logger.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { type MetricsSink, noMetrics } from '#shared/observability/metrics.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';

/** What reporting a finished run needs. */
export interface RunFinishedDeps {
  readonly log: Log;
  /** @default noMetrics */
  readonly metrics?: MetricsSink;
  /** Where a settled run asks for what follows it (`runSettled`): every path that settles a run needs it. */
  readonly steps: StepRequests;
}

/**
 * A run has finished: the one place every path that finishes a run (the last job's outcome, the watchdog's recount
 * or time-out, a failed dispatch) reports it, exactly once per finish — the ledger hands the finished run to the one
 * caller whose write finished it. What follows a finish hooks here: metrics, a log line, and the next step of the
 * backfill the run belongs to.
 */
export async function runFinished(run: Run, deps: RunFinishedDeps): Promise<void> {
  const metrics = deps.metrics ?? noMetrics;
  const dimensions = { dataSource: run.dataSource, dataset: run.dataset, group: run.groupId };
  if (run.status === 'succeeded') metrics.count(metricNames.runsSucceeded, 1, dimensions);
  if (run.status === 'failed' || run.status === 'partially_failed')
    metrics.count(metricNames.runsFailed, 1, dimensions);
  const data = { groupId: run.groupId, runId: run.runId, businessDate: run.businessDate, ...run.counters };
  if (run.status === 'succeeded') deps.log.info('run finished', { status: run.status, ...data });
  else deps.log.warn('run finished', { status: run.status, reason: run.reason, ...data });
  await runSettled(run, deps);
}

/**
 * A run has settled — finished, or recorded `skipped` or `missed` — and what follows from it is asked for: its
 * backfill's next step (which also starts the backfill's dependent runs), or else the judging of the groups that
 * depend on its group for its business date.
 */
export async function runSettled(run: Run, deps: Pick<RunFinishedDeps, 'steps'>): Promise<void> {
  if (run.backfillId !== undefined) await deps.steps.backfill(run.backfillId);
  else await deps.steps.dependents(run.groupId, run.businessDate);
}

/** Reports the run a ledger change finished, if this change finished one (`RunChange.finished`). */
export async function reportFinish(change: { readonly finished?: Run }, deps: RunFinishedDeps): Promise<void> {
  if (change.finished !== undefined) await runFinished(change.finished, deps);
}
