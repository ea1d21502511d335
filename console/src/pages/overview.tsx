import { api, segment } from '../api.ts';
import { Loaded, Status } from '../components.tsx';
import { isRunActive, plural, scheduleInWords, timeIn } from '../format.ts';
import { GroupHealth, GroupState, previewOf } from '../group-views.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import type { Alert, Group, Preview, Run } from '../types.ts';

interface GroupRow {
  readonly group: Group;
  readonly lastRun?: Run;
  readonly next?: Preview['nextFireTimes'][number];
  readonly nextError?: string;
}

interface Overview {
  readonly rows: readonly GroupRow[];
  readonly unreadable: readonly { id: string; error: string }[];
  readonly alerts: readonly Alert[];
}

async function loadOverview(): Promise<Overview> {
  const [list, alerts] = await Promise.all([
    api<{ groups: Group[]; unreadable?: { id: string; error: string }[] }>('GET', '/groups'),
    api<{ alerts: Alert[] }>('GET', '/alerts'),
  ]);
  const rows = await Promise.all(
    list.groups.map(async (listed): Promise<GroupRow> => {
      // Only a group with an expectBy can be late: the others need no read of their health.
      const [group, runs, preview] = await Promise.all([
        listed.expectBy === undefined ? listed : api<Group>('GET', `/groups/${segment(listed.id)}`).catch(() => listed),
        api<{ runs: Run[] }>('GET', `/groups/${segment(listed.id)}/runs?limit=1`),
        previewOf(listed, 5).catch((error: Error) => error),
      ]);
      const next =
        preview instanceof Error ? undefined : preview?.nextFireTimes.find((fire) => fire.skip === undefined);
      return {
        group,
        ...(runs.runs[0] === undefined ? {} : { lastRun: runs.runs[0] }),
        ...(next === undefined ? {} : { next }),
        ...(preview instanceof Error ? { nextError: preview.message } : {}),
      };
    }),
  );
  return { rows, unreadable: list.unreadable ?? [], alerts: alerts.alerts };
}

/** Where an alert's remedy is: its group, run, dead letters or data sources. */
function alertLink(alert: Alert): { href: string; text: string } | undefined {
  if (alert.runId !== undefined) return { href: href(['runs', alert.runId]), text: 'open the run' };
  if (alert.kind === 'dead-letters') return { href: href(['dead-letters']), text: 'inspect and redrive' };
  if (alert.dataSource !== undefined) return { href: href(['data-sources']), text: 'see the data source' };
  if (alert.groupId !== undefined) return { href: href(['groups', alert.groupId]), text: 'open the group' };
  return undefined;
}

/** Open alerts, first thing on the page; nothing when all is well. */
export function AlertBanner({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return null;
  return (
    <section class="banner" aria-label="Open alerts">
      <h2>{plural(alerts.length, 'open alert')}</h2>
      <ul>
        {alerts.map((alert) => {
          const link = alertLink(alert);
          return (
            <li key={`${alert.kind}:${alert.message}`}>
              {alert.message}
              {link === undefined ? null : (
                <>
                  {' — '}
                  <a href={link.href}>{link.text}</a>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The first screen: is everything fine, and if not, where to look. */
export function OverviewPage() {
  const overview = useResource('overview', loadOverview, (data) =>
    // Every group costs a few API calls: often while a run moves, seldom otherwise.
    data?.rows.some((row) => isRunActive(row.lastRun?.status)) ? 5000 : 30_000,
  );
  return (
    <>
      <div class="page-head">
        <h1>Job groups</h1>
        <a class="button" href={href(['groups', 'new'])}>
          New group
        </a>
      </div>
      <Loaded data={overview.data} error={overview.error} what="the job groups">
        {(data) => <OverviewBody data={data} />}
      </Loaded>
    </>
  );
}

function OverviewBody({ data }: { data: Overview }) {
  const running = data.rows.filter((row) => isRunActive(row.lastRun?.status)).length;
  const late = data.rows.filter((row) => row.group.health?.state === 'late').length;
  const paused = data.rows.filter((row) => row.group.pause !== null).length;
  const failed = data.rows.filter((row) => ['failed', 'partially_failed'].includes(row.lastRun?.status ?? '')).length;
  return (
    <>
      <AlertBanner alerts={data.alerts} />
      <p class="summary">
        {plural(data.rows.length, 'group')} · {running} running · {late} late · {paused} paused · {failed} whose last
        run failed
      </p>
      {data.rows.length === 0 ? (
        <p>
          No job groups yet. <a href={href(['groups', 'new'])}>Create one</a>.
        </p>
      ) : (
        <table class="groups">
          <caption class="visually-hidden">Job groups</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Schedule</th>
              <th scope="col">Next fire time</th>
              <th scope="col">State</th>
              <th scope="col">Health</th>
              <th scope="col">Last run</th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((row) => (
              <tr key={row.group.id}>
                <th scope="row">
                  <a href={href(['groups', row.group.id])}>{row.group.name}</a>
                  <div class="muted mono">{row.group.id}</div>
                </th>
                <td>
                  {scheduleInWords(row.group)}
                  {row.group.schedule === null ? null : <div class="muted mono">{row.group.schedule}</div>}
                </td>
                <td>
                  {row.next !== undefined ? (
                    timeIn(row.next.at, row.group.timezone)
                  ) : row.nextError !== undefined ? (
                    <span class="muted">{row.nextError}</span>
                  ) : (
                    <span class="muted">{row.group.schedule === null ? 'when its dependencies finish' : '—'}</span>
                  )}
                </td>
                <td>
                  <GroupState group={row.group} />
                </td>
                <td>
                  <GroupHealth group={row.group} />
                </td>
                <td>
                  {row.lastRun === undefined ? (
                    <span class="muted">never ran</span>
                  ) : (
                    <a
                      href={href(['runs', row.lastRun.runId])}
                      aria-label={`Last run of ${row.group.name}: ${row.lastRun.status}`}
                    >
                      <Status status={row.lastRun.status} />{' '}
                      <span class="muted">
                        {row.lastRun.businessDate} · {row.lastRun.counters.succeeded}/{row.lastRun.counters.total} jobs
                      </span>
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.unreadable.length === 0 ? null : (
        <section aria-label="Unreadable groups">
          <h2>Groups that no longer parse</h2>
          <ul>
            {data.unreadable.map((entry) => (
              <li key={entry.id}>
                <code>{entry.id}</code>: {entry.error}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
