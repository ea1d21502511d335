import type { DependencyRule } from '#shared/domain/job-group.ts';
import type { Run } from '#shared/domain/run.ts';

/**
 * Group dependencies (design §1, `dependsOn`): a group runs for business date D once every upstream group has a
 * finished run for D that satisfies its `dependencyRule`. Judged on each upstream group's latest finished run of D;
 * an upstream run of D still going means wait, however the earlier ones went.
 */

/** What an upstream group's runs of the date say. */
export type UpstreamRun = Pick<Run, 'runId' | 'groupId' | 'status' | 'reason' | 'counters' | 'finishedAt'>;

/** The verdict on a dependent group's run for one date. */
export type DependencyVerdict =
  /** Some upstream group has no finished run of the date yet (or one is still going). */
  | { readonly kind: 'waiting'; readonly reason: string }
  /** Every upstream run satisfies the rule: the dependent runs. */
  | { readonly kind: 'met' }
  /** An upstream run fails the rule, or was skipped or missed: the dependent is skipped, saying why. */
  | { readonly kind: 'unmet'; readonly reason: string; readonly runId: string };

const finishedWithJobs = new Set<Run['status']>(['succeeded', 'partially_failed', 'failed']);
const going = new Set<Run['status']>(['waiting', 'dispatching', 'running']);

/**
 * Judges `rule` over each upstream group's runs of the date (`runsOf(groupId)`: every run of that group for the
 * date, any trigger).
 */
export function judgeDependencies(
  rule: DependencyRule,
  upstreamGroupIds: readonly string[],
  runsOf: (groupId: string) => readonly UpstreamRun[],
): DependencyVerdict {
  const waitingFor: string[] = [];
  for (const groupId of upstreamGroupIds) {
    const runs = runsOf(groupId);
    const latest = latestFinished(runs);
    if (runs.some((run) => going.has(run.status)) || latest === undefined) {
      waitingFor.push(groupId);
      continue;
    }
    const failure = failureOf(rule, latest);
    if (failure !== undefined) return { kind: 'unmet', reason: failure, runId: latest.runId };
  }
  if (waitingFor.length > 0) return { kind: 'waiting', reason: `waiting for ${waitingFor.join(', ')}` };
  return { kind: 'met' };
}

/** Why an upstream run does not let the dependent run, or undefined when it does. */
function failureOf(rule: DependencyRule, run: UpstreamRun): string | undefined {
  const upstream = `upstream ${run.groupId} run ${run.runId}`;
  // A holiday or a pause upstream is the dependent's too: it is skipped for the same reason.
  if (run.status === 'skipped') return run.reason ?? `${upstream} was skipped`;
  if (run.status === 'missed') return `${upstream} was missed`;
  if (rule === 'all-finished') return finishedWithJobs.has(run.status) ? undefined : `${upstream} ${run.status}`;
  if (rule === 'all-succeeded') return run.status === 'succeeded' ? undefined : `${upstream} ${run.status}`;
  const { total, succeeded } = run.counters;
  const ratio = total === 0 ? (run.status === 'succeeded' ? 1 : 0) : succeeded / total;
  if (ratio >= rule.minSucceededRatio) return undefined;
  return `${upstream} succeeded ${succeeded} of ${total} jobs, under the ${rule.minSucceededRatio} required`;
}

function latestFinished(runs: readonly UpstreamRun[]): UpstreamRun | undefined {
  return runs
    .filter((run) => run.finishedAt !== undefined)
    .reduce<UpstreamRun | undefined>(
      (latest, run) => (latest === undefined || (run.finishedAt ?? '') > (latest.finishedAt ?? '') ? run : latest),
      undefined,
    );
}
