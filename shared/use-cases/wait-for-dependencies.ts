import { type DependencyVerdict, judgeDependencies } from '#shared/domain/dependencies.ts';
import { isActive, type JobGroup } from '#shared/domain/job-group.ts';
import type { Run } from '#shared/domain/run.ts';
import {
  type DispatchDeps,
  type DispatchOutcome,
  deadlineOf,
  duplicateOf,
  enqueueJobs,
} from '#shared/use-cases/launch-run.ts';
import { reportFinish } from '#shared/use-cases/run-finished.ts';

/*
 * A run that waits for its group's dependencies (`dependsOn`, `dependencyRule`): judged on the upstream groups' runs
 * of its business date, dispatched once they meet the rule, skipped when they fail it, failed past its deadline.
 */

/** Why a disabled or paused group's run is skipped. */
export function inactiveReason(group: JobGroup): string {
  return group.pause === null ? 'group disabled' : `group paused: ${group.pause.reason}`;
}

/** The verdict on the group's dependencies for `businessDate`, from the upstream groups' runs of that date. */
export async function judgeDependenciesOf(
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
export async function waitingDeadline(group: JobGroup, now: Date, deps: DispatchDeps): Promise<string> {
  return new Date(now.getTime() + (await deadlineOf(group.dataSource, group.runDeadline, 0, deps))).toISOString();
}

/**
 * Judges the dependencies of a run that waits for them (or was skipped because they had failed) again: met, it is
 * dispatched; failed, a waiting one is skipped; still waiting past its deadline, it fails.
 */
export async function rejudge(group: JobGroup, run: Run, deps: DispatchDeps): Promise<DispatchOutcome> {
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
export async function failWaiting(run: Run, reason: string, deps: DispatchDeps): Promise<DispatchOutcome> {
  const at = deps.clock.now().toISOString();
  const change = await deps.runLedger.updateRun(run.runId, { kind: 'dependencies-unmet', at, reason, timedOut: true });
  await reportFinish(change, deps);
  return { outcome: 'failed', run: change.run };
}
