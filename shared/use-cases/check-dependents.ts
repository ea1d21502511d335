import { backfillRunId } from '#shared/domain/backfill.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { isActive, type JobGroup } from '#shared/domain/job-group.ts';
import type { Run } from '#shared/domain/run.ts';
import { type DispatchDeps, type DispatchOutcome, dispatchRun } from '#shared/use-cases/dispatch-run.ts';

/**
 * A group's run of business date D has settled (finished, or recorded skipped or missed): each group that depends on
 * it is judged again for D (`dispatchRun` judges a dependent's rule over its upstream runs of D).
 * - A group without a schedule runs for D after its dependencies (`dependency`, one run per date): it is dispatched,
 *   and waits, runs or is skipped as the rule says.
 * - A scheduled group runs on its tick: a run of D that waits for its dependencies, or was skipped because they had
 *   failed, is judged again; before its tick comes, nothing happens (the tick judges them).
 * - A dependent of a backfill's run runs in the same backfill (`dependentOfBackfill`), counted by it.
 * Returns what was done for each dependent.
 */
export async function checkDependents(
  upstream: Pick<Run, 'groupId' | 'businessDate' | 'backfillId'>,
  deps: DispatchDeps,
): Promise<{ groupId: string; outcome: DispatchOutcome['outcome'] | 'not-yet' | 'inactive' }[]> {
  const { groups } = await deps.groupStore.list();
  const dependents = groups.filter((group) => group.dependsOn.includes(upstream.groupId));
  const results: { groupId: string; outcome: DispatchOutcome['outcome'] | 'not-yet' | 'inactive' }[] = [];
  const failures: unknown[] = [];
  for (const group of dependents) {
    try {
      results.push({ groupId: group.id, outcome: await judgeDependent(group, upstream, deps) });
    } catch (error) {
      deps.log.error('dependent could not be judged', { groupId: group.id, upstream: upstream.groupId, error });
      failures.push(error);
    }
  }
  // Thrown once every dependent has been tried, so that the step comes back: judging again is harmless.
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} dependent(s) could not be judged`);
  return results;
}

async function judgeDependent(
  group: JobGroup,
  upstream: Pick<Run, 'groupId' | 'businessDate' | 'backfillId'>,
  deps: DispatchDeps,
): Promise<DispatchOutcome['outcome'] | 'not-yet' | 'inactive'> {
  const date = upstream.businessDate;
  const scheduledTime = deps.clock.now().toISOString();
  if (upstream.backfillId !== undefined) {
    // A disabled or paused dependent starts nothing after its upstream, in a backfill too.
    if (!isActive(group)) return 'inactive';
    const outcome = await dispatchRun(
      {
        groupId: group.id,
        scheduledTime,
        trigger: 'backfill',
        businessDate: date,
        backfillId: upstream.backfillId,
        newRunId: dependentOfBackfill(upstream.backfillId, group.id, date),
        asDependent: true,
      },
      deps,
    );
    return outcome.outcome;
  }
  if (group.schedule === null) {
    const request = { groupId: group.id, scheduledTime, trigger: 'dependency' as const, businessDate: date };
    return (await dispatchRun({ ...request, asDependent: true }, deps)).outcome;
  }
  const runs = await deps.runLedger.listRunsOfDates(group.id, { from: date, to: date });
  const blocked = runs.filter((run) => run.blockedBy === 'dependencies');
  if (blocked.length === 0) return 'not-yet';
  let outcome: DispatchOutcome['outcome'] = 'duplicate';
  for (const run of blocked) {
    outcome = (await dispatchRun({ groupId: group.id, scheduledTime: run.scheduledTime, runId: run.runId }, deps))
      .outcome;
  }
  return outcome;
}

/** The run of a dependent group for one date of a backfill of its upstream. */
export function dependentOfBackfill(backfillId: string, groupId: string, date: string): string {
  return `${backfillRunId(backfillId, date)}.${groupId}`;
}

/** How many business days back the reconciler looks for dependents that were never judged. */
const recentDays = 2;

/**
 * The reconciler's repair of a lost step (a send that failed after its run settled, a dead-lettered step): for every
 * group that others depend on, each of its settled runs of the last few days whose dependents look unjudged — a
 * dependent without a schedule that has no run of the date, or a dependent run still blocked by its dependencies —
 * asks for its dependents to be judged again (`StepRequests.dependents`), which is harmless if nothing was lost.
 * Returns how many checks it asked for.
 */
export async function requestLostDependentChecks(
  deps: Pick<DispatchDeps, 'groupStore' | 'runLedger' | 'steps' | 'clock'>,
): Promise<number> {
  const { groups } = await deps.groupStore.list();
  let requested = 0;
  for (const upstream of groups) {
    const dependents = groups.filter((group) => group.dependsOn.includes(upstream.id));
    if (dependents.length === 0) continue;
    const today = businessDateOf(deps.clock.now(), upstream.timezone);
    const dates = { from: addDays(today, -recentDays), to: today };
    // Each date's latest settling of the upstream group.
    const settledAt = new Map<string, string>();
    for (const run of await deps.runLedger.listRunsOfDates(upstream.id, dates)) {
      if (run.backfillId !== undefined || !settledRunStatuses.has(run.status)) continue;
      const at = run.finishedAt ?? run.updatedAt;
      if (at > (settledAt.get(run.businessDate) ?? '')) settledAt.set(run.businessDate, at);
    }
    for (const [date, at] of settledAt) {
      if (!(await someUnjudged(dependents, date, at, deps))) continue;
      await deps.steps.dependents(upstream.id, date);
      requested++;
    }
  }
  return requested;
}

const settledRunStatuses: ReadonlySet<Run['status']> = new Set([
  'succeeded',
  'partially_failed',
  'failed',
  'skipped',
  'missed',
]);

/**
 * Whether a dependent of an upstream run of `date` settled at `settledAt` looks unjudged: one without a schedule that
 * has no run of the date, or a run skipped for its dependencies before the upstream settled again. (A waiting run is
 * the watchdog's: it judges those every pass.)
 */
async function someUnjudged(
  dependents: readonly JobGroup[],
  date: string,
  settledAt: string,
  deps: Pick<DispatchDeps, 'runLedger'>,
): Promise<boolean> {
  for (const group of dependents) {
    const runs = (await deps.runLedger.listRunsOfDates(group.id, { from: date, to: date })).filter(
      (run) => run.backfillId === undefined,
    );
    if (group.schedule === null && isActive(group) && runs.length === 0) return true;
    const skippedBefore = (run: Run): boolean =>
      run.blockedBy === 'dependencies' && run.status === 'skipped' && (run.finishedAt ?? '') < settledAt;
    if (runs.some(skippedBefore)) return true;
  }
  return false;
}
