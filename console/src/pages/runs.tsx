import { api, segment } from '../api.ts';
import { Loaded, Status } from '../components.tsx';
import { isRunActive, timeIn } from '../format.ts';
import { useResource } from '../resource.ts';
import { href, navigate } from '../router.ts';
import type { Group, Run } from '../types.ts';

/** Jobs finished (succeeded or failed) of all. */
export function finishedJobs(run: Run): number {
  return run.counters.succeeded + run.counters.failed;
}

/** Runs as a table: status, date, trigger, progress, when. */
export function RunsTable({
  runs,
  timezone,
  showGroup = false,
}: {
  runs: readonly Run[];
  timezone: ((run: Run) => string) | string;
  showGroup?: boolean;
}) {
  if (runs.length === 0) return <p class="muted">No runs yet.</p>;
  const zoneOf = (run: Run) => (typeof timezone === 'function' ? timezone(run) : timezone);
  return (
    <table class="runs">
      <caption class="visually-hidden">Runs</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          {showGroup ? <th scope="col">Group</th> : null}
          <th scope="col">Status</th>
          <th scope="col">Business date</th>
          <th scope="col">Trigger</th>
          <th scope="col">Jobs</th>
          <th scope="col">Started</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId}>
            <th scope="row">
              <a href={href(['runs', run.runId])} class="mono">
                {run.runId}
              </a>
            </th>
            {showGroup ? (
              <td>
                <a href={href(['groups', run.groupId])}>{run.groupId}</a>
              </td>
            ) : null}
            <td>
              <Status status={run.status} />
              {run.reason === undefined ? null : <div class="muted">{run.reason}</div>}
            </td>
            <td>{run.businessDate}</td>
            <td>{run.trigger}</td>
            <td>
              {finishedJobs(run)}/{run.counters.total}
              {run.counters.failed > 0 ? <span class="bad"> · {run.counters.failed} failed</span> : null}
              {(run.waitingForRateLimit ?? 0) > 0 ? (
                <span class="muted"> · {run.waitingForRateLimit} waiting for the rate limit</span>
              ) : null}
            </td>
            <td>{timeIn(run.createdAt, zoneOf(run))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface RunList {
  readonly groups: readonly Group[];
  readonly runs: readonly Run[];
}

async function loadRuns(groupId: string | undefined): Promise<RunList> {
  const { groups } = await api<{ groups: Group[] }>('GET', '/groups');
  const chosen = groupId === undefined ? groups : groups.filter((group) => group.id === groupId);
  const pages = await Promise.all(
    chosen.map((group) =>
      api<{ runs: Run[] }>('GET', `/groups/${segment(group.id)}/runs?limit=${groupId === undefined ? 10 : 50}`),
    ),
  );
  const runs = pages.flatMap((page) => page.runs).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { groups, runs };
}

/** `#/runs`: the latest runs of every group, or all runs of one. */
export function RunsPage({ groupId }: { groupId?: string }) {
  const list = useResource(
    `runs:${groupId ?? '*'}`,
    () => loadRuns(groupId),
    (data) => (data?.runs.some((run) => isRunActive(run.status)) ? 2000 : 10_000),
  );
  return (
    <>
      <h1>Runs</h1>
      <div class="field inline">
        <label for="runs-group">Group</label>
        <select
          id="runs-group"
          value={groupId ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            navigate(href(['runs'], { groupId: value === '' ? undefined : value }));
          }}
        >
          <option value="">every group (latest 10 each)</option>
          {(list.data?.groups ?? []).map((group) => (
            <option key={group.id} value={group.id}>
              {group.name} ({group.id})
            </option>
          ))}
        </select>
      </div>
      <Loaded data={list.data} error={list.error} what="the runs">
        {(data) => {
          const zones = new Map(data.groups.map((group) => [group.id, group.timezone]));
          return <RunsTable runs={data.runs} timezone={(run) => zones.get(run.groupId) ?? 'UTC'} showGroup />;
        }}
      </Loaded>
    </>
  );
}
