import { api, segment } from '../api.ts';
import { Loaded, OutcomeLine, Progress, Status, useAction } from '../components.tsx';
import { isRunActive, plural, statusWord, timeIn } from '../format.ts';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import type { Group, Job, Run } from '../types.ts';
import { finishedJobs } from './runs.tsx';

interface RunView {
  readonly run: Run;
  readonly timezone: string;
  readonly failed: readonly Job[];
  readonly waiting: readonly Job[];
}

const jobsOf = async (runId: string, status: string): Promise<Job[]> =>
  (await api<{ jobs: Job[] }>('GET', `/runs/${segment(runId)}/jobs?status=${status}&limit=100`)).jobs;

async function loadRun(runId: string): Promise<RunView> {
  const run = await api<Run>('GET', `/runs/${segment(runId)}`);
  const active = isRunActive(run.status);
  const [group, failed, queued, retrying] = await Promise.all([
    api<Group>('GET', `/groups/${segment(run.groupId)}`).catch(() => undefined),
    run.counters.failed > 0 ? jobsOf(runId, 'failed') : Promise.resolve([]),
    active && (run.waitingForRateLimit ?? 0) > 0 ? jobsOf(runId, 'queued') : Promise.resolve([]),
    active ? jobsOf(runId, 'retrying') : Promise.resolve([]),
  ]);
  return {
    run,
    timezone: group?.timezone ?? 'UTC',
    // Retrying jobs show their last error beside the failed ones: the run is not over for them yet.
    failed: [...failed, ...retrying.filter((job) => job.lastError !== undefined)],
    waiting: [...queued, ...retrying].filter((job) => job.waitingFor !== undefined),
  };
}

/** `#/runs/{runId}`: a run's progress, what it waits for, and each failure with its error and remedy. */
export function RunPage({ runId }: { runId: string }) {
  const view = useResource(
    `run:${runId}`,
    () => loadRun(runId),
    (data) => (data === undefined || isRunActive(data.run.status) ? 1500 : undefined),
  );
  return (
    <Loaded data={view.data} error={view.error} what={`run ${runId}`}>
      {(data) => <RunBody view={data} reload={view.reload} />}
    </Loaded>
  );
}

function RunBody({ view, reload }: { view: RunView; reload: () => void }) {
  const { run, timezone } = view;
  const retry = useAction();
  const finished = finishedJobs(run);
  return (
    <>
      <div class="page-head">
        <div>
          <h1>
            Run <span class="mono">{run.runId}</span>
          </h1>
          <p class="muted">
            <a href={href(['groups', run.groupId])}>{run.groupId}</a> · {run.trigger} run for business date{' '}
            {run.businessDate}
            {run.backfillId === undefined ? null : (
              <>
                {' '}
                · backfill <span class="mono">{run.backfillId}</span>
              </>
            )}
          </p>
        </div>
      </div>
      <p class="run-status">
        <Status status={run.status} />
        {isRunActive(run.status) ? <span class="muted"> · refreshing</span> : null}
      </p>
      {run.reason === undefined && run.blockedBy === undefined ? null : (
        <p class="reason" role="note">
          {reasonWords(run)}
        </p>
      )}
      <Progress
        label="Jobs finished"
        value={finished}
        max={run.counters.total}
        words={`${finished} of ${plural(run.counters.total, 'job')} finished`}
      />
      <dl class="counters" aria-label="Counters">
        <div>
          <dt>Jobs</dt>
          <dd>{run.counters.total}</dd>
        </div>
        <div>
          <dt>Succeeded</dt>
          <dd>{run.counters.succeeded}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd class={run.counters.failed > 0 ? 'bad' : ''}>{run.counters.failed}</dd>
        </div>
        <div>
          <dt>Dead-lettered</dt>
          <dd class={run.counters.dead > 0 ? 'bad' : ''}>{run.counters.dead}</dd>
        </div>
        <div>
          <dt>Waiting for the rate limit</dt>
          <dd>{run.waitingForRateLimit ?? 0}</dd>
        </div>
        <div>
          <dt>Deferrals</dt>
          <dd>{run.deferrals ?? 0}</dd>
        </div>
        <div>
          <dt>Upstream requests</dt>
          <dd>{run.upstreamRequests}</dd>
        </div>
        <div>
          <dt>Rows written</dt>
          <dd>{run.rowsWritten ?? 0}</dd>
        </div>
      </dl>
      <dl class="facts">
        <dt>Scheduled for</dt>
        <dd>{timeIn(run.scheduledTime, timezone, true)}</dd>
        <dt>Started</dt>
        <dd>{timeIn(run.runningAt ?? run.createdAt, timezone, true)}</dd>
        <dt>Deadline</dt>
        <dd>{timeIn(run.deadlineAt, timezone, true)}</dd>
        <dt>Finished</dt>
        <dd>{run.finishedAt === undefined ? 'not yet' : timeIn(run.finishedAt, timezone, true)}</dd>
      </dl>
      {view.waiting.length === 0 ? null : (
        <section aria-labelledby="waiting">
          <h2 id="waiting">Waiting for the rate limit</h2>
          <p class="muted">These jobs wait for a request slot of {run.dataSource}; they spend no attempt meanwhile.</p>
          <ul>
            {view.waiting.map((job) => (
              <li key={job.jobId}>
                <span class="mono">{job.jobId}</span> — deferred {plural(job.deferrals ?? 0, 'time')}
                {job.waitingSince === undefined ? '' : `, waiting since ${timeIn(job.waitingSince, timezone, true)}`}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="failed-jobs">
        <h2 id="failed-jobs">Failed jobs</h2>
        {view.failed.length === 0 ? (
          <p class="muted">{run.counters.failed === 0 ? 'None.' : 'Loading…'}</p>
        ) : (
          <>
            <div class="inline-actions">
              {run.counters.failed > 0 && !isRunActive(run.status) ? (
                <button
                  type="button"
                  disabled={retry.busy}
                  onClick={async () => {
                    await retry.run(
                      () => api<{ retried: number }>('POST', `/runs/${segment(run.runId)}/retry`, {}),
                      (result) => `Retried ${plural(result.retried, 'failed job')}`,
                    );
                    reload();
                  }}
                >
                  {retry.busy ? 'Retrying…' : 'Retry failed jobs'}
                </button>
              ) : null}
              {run.counters.dead > 0 ? (
                <a class="button secondary" href={href(['dead-letters'], { runId: run.runId })}>
                  Dead letters of this run
                </a>
              ) : null}
            </div>
            <OutcomeLine outcome={retry.outcome} />
            <table class="jobs">
              <caption class="visually-hidden">Failed jobs</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {view.failed.map((job) => (
                  <tr key={job.jobId}>
                    <th scope="row">
                      <span class="mono">{job.jobId}</span>
                      <div class="muted mono">{JSON.stringify(job.params)}</div>
                    </th>
                    <td>
                      <Status status={job.status} />
                      {job.deadLettered ? <div class="muted">dead-lettered</div> : null}
                    </td>
                    <td>
                      {job.attemptsMade}/{job.maxAttempts}
                    </td>
                    <td>
                      {job.lastError === undefined ? (
                        '—'
                      ) : (
                        <>
                          <code>{job.lastError.code}</code> {job.lastError.message}
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}

/** Why a run was skipped, missed, timed out or is waiting, in words. */
function reasonWords(run: Run): string {
  const why = run.reason ?? (run.blockedBy === 'dependencies' ? 'its dependencies' : '');
  if (run.status === 'skipped') return `Skipped: ${why}`;
  if (run.status === 'missed') return `Missed: ${why}`;
  if (run.status === 'waiting') return `Waiting for ${run.blockedBy === 'dependencies' ? 'its dependencies' : why}`;
  return `${statusWord(run.status)[0]?.toUpperCase()}${statusWord(run.status).slice(1)}: ${why}`;
}
