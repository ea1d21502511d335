import { backfillRunId } from '#shared/domain/backfill.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
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
): Promise<{ groupId: string; outcome: DispatchOutcome['outcome'] | 'not-yet' }[]> {
  const { groups } = await deps.groupStore.list();
  const dependents = groups.filter((group) => group.dependsOn.includes(upstream.groupId));
  const results: { groupId: string; outcome: DispatchOutcome['outcome'] | 'not-yet' }[] = [];
  for (const group of dependents) {
    try {
      results.push({ groupId: group.id, outcome: await judgeDependent(group, upstream, deps) });
    } catch (error) {
      deps.log.error('dependent could not be judged', { groupId: group.id, upstream: upstream.groupId, error });
    }
  }
  return results;
}

async function judgeDependent(
  group: JobGroup,
  upstream: Pick<Run, 'groupId' | 'businessDate' | 'backfillId'>,
  deps: DispatchDeps,
): Promise<DispatchOutcome['outcome'] | 'not-yet'> {
  const date = upstream.businessDate;
  const scheduledTime = deps.clock.now().toISOString();
  if (upstream.backfillId !== undefined) {
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
