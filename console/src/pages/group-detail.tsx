import { useState } from 'preact/hooks';
import { api, segment } from '../api.ts';
import { Field, Loaded, OutcomeLine, Progress, Status, useAction } from '../components.tsx';
import { takeFlash } from '../flash.ts';
import { durationWords, instantOf, isRunActive, plural, scheduleInWords, timeIn } from '../format.ts';
import { calendarOf, GroupHealth, GroupState, loadGroup, previewOf } from '../group-views.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { FireTimes } from '../schedule-preview.tsx';
import type { Backfill, Group, Run } from '../types.ts';
import { RunsTable } from './runs.tsx';

/** `#/groups/{id}`: a group, what it will do next, and everything an operator does to it. */
export function GroupPage({ groupId }: { groupId: string }) {
  const [flash] = useState(takeFlash);
  const group = useResource(
    `group:${groupId}`,
    () => loadGroup(groupId),
    () => 10_000,
  );
  return (
    <>
      {flash === undefined ? null : (
        <p class="outcome outcome-ok" role="status">
          {flash}
        </p>
      )}
      <Loaded data={group.data} error={group.error} what={`group ${groupId}`}>
        {(data) => <GroupBody group={data} reload={group.reload} />}
      </Loaded>
    </>
  );
}

function GroupBody({ group, reload }: { group: Group; reload: () => void }) {
  const runs = useResource(
    `runs:${group.id}`,
    () => api<{ runs: Run[] }>('GET', `/groups/${segment(group.id)}/runs?limit=10`),
    (data) => (data?.runs.some((run) => isRunActive(run.status)) ? 2000 : 10_000),
  );
  return (
    <>
      <div class="page-head">
        <div>
          <h1>{group.name}</h1>
          <p class="muted">
            <span class="mono">{group.id}</span> · {group.dataSource} · <span class="mono">{group.dataset}</span>
          </p>
        </div>
        <a class="button secondary" href={href(['groups', group.id, 'edit'])}>
          Edit
        </a>
      </div>
      {group.description ? <p>{group.description}</p> : null}
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <GroupState group={group} />
        </dd>
        <dt>Health</dt>
        <dd>
          <GroupHealth group={group} />
        </dd>
        <dt>Schedule</dt>
        <dd>
          {scheduleInWords(group)} ({group.timezone})
          {group.schedule === null ? null : <span class="muted mono"> {group.schedule}</span>}
        </dd>
        <dt>Market calendar</dt>
        <dd>{calendarOf(group) === 'jpx' ? 'JPX: market holidays are skipped' : 'none'}</dd>
        {group.expectBy === undefined ? null : (
          <>
            <dt>Expected by</dt>
            <dd>
              {group.expectBy} {group.timezone}
            </dd>
          </>
        )}
      </dl>
      <Actions
        group={group}
        reload={() => {
          reload();
          runs.reload();
        }}
      />
      <section aria-labelledby="next-fire-times">
        <h2 id="next-fire-times">Next fire times</h2>
        {group.schedule === null ? <p>No schedule: {scheduleInWords(group)}.</p> : <NextFireTimes group={group} />}
      </section>
      <section aria-labelledby="recent-runs">
        <h2 id="recent-runs">Recent runs</h2>
        <Loaded data={runs.data} error={runs.error} what="the runs">
          {(data) => <RunsTable runs={data.runs} timezone={group.timezone} />}
        </Loaded>
        <p>
          <a href={href(['runs'], { groupId: group.id })}>All runs of {group.id}</a> ·{' '}
          <a href={href(['dead-letters'], { groupId: group.id })}>Dead letters of {group.id}</a>
        </p>
      </section>
      <Backfills group={group} />
      <section aria-labelledby="definition">
        <h2 id="definition">Definition</h2>
        <dl class="facts">
          <dt>Parameters template</dt>
          <dd>
            <pre>{JSON.stringify(group.parametersTemplate, null, 2)}</pre>
          </dd>
          <dt>Depends on</dt>
          <dd>
            {group.dependsOn.length === 0
              ? 'nothing'
              : group.dependsOn.map((id) => (
                  <a key={id} class="chip" href={href(['groups', id])}>
                    {id}
                  </a>
                ))}
          </dd>
          <dt>Attempts per job</dt>
          <dd>{group.maxAttempts ?? 5}</dd>
          <dt>Catch-up, overlap</dt>
          <dd>
            {group.catchUp ?? 'none'} within {group.catchUpWindow ?? 'P1D'}; overlap {group.overlap ?? 'skip'}
          </dd>
          <dt>Run deadline</dt>
          <dd>{group.runDeadline ?? 'default'}</dd>
          <dt>Version</dt>
          <dd>{group.version}</dd>
        </dl>
      </section>
    </>
  );
}

function NextFireTimes({ group }: { group: Group }) {
  const preview = useResource(`preview:${group.schedule}:${group.timezone}:${calendarOf(group)}`, () =>
    previewOf(group, 10),
  );
  return (
    <Loaded data={preview.data} error={preview.error} what="the next fire times">
      {(data) => (data === undefined ? null : <FireTimes preview={data} />)}
    </Loaded>
  );
}

/** Run now, pause with a reason (and an end), resume. */
function Actions({ group, reload }: { group: Group; reload: () => void }) {
  const runNow = useAction();
  const pause = useAction();
  const resume = useAction();
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [startedRun, setStartedRun] = useState<Run | undefined>(undefined);
  const path = `/groups/${segment(group.id)}`;
  return (
    <section aria-labelledby="actions" class="actions">
      <h2 id="actions">Actions</h2>
      <div class="action">
        <button
          type="button"
          disabled={runNow.busy}
          onClick={async () => {
            const run = await runNow.run(
              () => api<Run>('POST', `${path}/runs`, {}),
              (started) => `Run ${started.runId} started (${started.status})`,
            );
            if (run !== undefined) setStartedRun(run);
            reload();
          }}
        >
          {runNow.busy ? 'Starting…' : 'Run now'}
        </button>
        <OutcomeLine outcome={runNow.outcome} />
        {startedRun === undefined || !runNow.outcome?.ok ? null : (
          <p>
            <a href={href(['runs', startedRun.runId])}>Follow run {startedRun.runId}</a>
          </p>
        )}
      </div>
      {group.pause === null ? (
        <form
          class="action"
          aria-label="Pause"
          onSubmit={async (event) => {
            event.preventDefault();
            const done = await pause.run(
              () => {
                const body = { reason, ...(until === '' ? {} : { until: instantOf(until, group.timezone) }) };
                return api<Group>('POST', `${path}/pause`, body);
              },
              (paused) => `Paused: ${paused.pause?.reason ?? reason}`,
            );
            if (done !== undefined) {
              setReason('');
              setUntil('');
            }
            reload();
          }}
        >
          <Field
            id="pause-reason"
            label="Reason"
            errors={
              pause.outcome?.ok === false
                ? pause.outcome.error.issues.filter((issue) => issue.path === 'reason').map((issue) => issue.message)
                : []
            }
          >
            {(attributes) => (
              <input
                {...attributes}
                value={reason}
                onInput={(event) => setReason(event.currentTarget.value)}
                autoComplete="off"
              />
            )}
          </Field>
          <Field
            id="pause-until"
            label={`Until (${group.timezone}, optional)`}
            hint="The group resumes by itself then."
          >
            {(attributes) => (
              <input
                {...attributes}
                type="datetime-local"
                value={until}
                onInput={(event) => setUntil(event.currentTarget.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={pause.busy}>
            {pause.busy ? 'Pausing…' : 'Pause'}
          </button>
          <OutcomeLine outcome={pause.outcome} />
        </form>
      ) : (
        <div class="action">
          <p>
            Paused: <strong>{group.pause.reason}</strong>
            {group.pause.until === undefined ? ' until resumed' : ` until ${timeIn(group.pause.until, group.timezone)}`}
            {group.pause.pausedAt === undefined ? null : (
              <span class="muted"> (since {timeIn(group.pause.pausedAt, group.timezone)})</span>
            )}
          </p>
          <button
            type="button"
            disabled={resume.busy}
            onClick={async () => {
              await resume.run(
                () => api<Group>('POST', `${path}/resume`, {}),
                () => 'Resumed: the paused period is not replayed',
              );
              reload();
            }}
          >
            {resume.busy ? 'Resuming…' : 'Resume'}
          </button>
          <OutcomeLine outcome={pause.outcome} />
          <OutcomeLine outcome={resume.outcome} />
        </div>
      )}
      {group.pause === null ? <OutcomeLine outcome={resume.outcome} /> : null}
    </section>
  );
}

/** Start a backfill over a date range, and follow the group's backfills. */
function Backfills({ group }: { group: Group }) {
  const backfills = useResource(
    `backfills:${group.id}`,
    () => api<{ backfills: Backfill[] }>('GET', `/groups/${segment(group.id)}/backfills?limit=5`),
    (data) => (data?.backfills.some((backfill) => isBackfillActive(backfill.status)) ? 2000 : 15_000),
  );
  const start = useAction();
  const cancel = useAction();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [force, setForce] = useState(false);
  const issues = start.outcome?.ok === false ? start.outcome.error.issues : [];
  const errorsOf = (field: string) => issues.filter((issue) => issue.path === field).map((issue) => issue.message);
  return (
    <section aria-labelledby="backfills">
      <h2 id="backfills">Backfills</h2>
      <form
        class="action inline-form"
        aria-label="Start a backfill"
        onSubmit={async (event) => {
          event.preventDefault();
          await start.run(
            () =>
              api<Backfill>('POST', `/groups/${segment(group.id)}/backfill`, { from, to, ...(force ? { force } : {}) }),
            (backfill) => `Backfill ${backfill.backfillId} started: ${backfill.from} to ${backfill.to}`,
          );
          backfills.reload();
        }}
      >
        <Field id="backfill-from" label="From" errors={errorsOf('from')}>
          {(attributes) => (
            <input {...attributes} type="date" value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
          )}
        </Field>
        <Field id="backfill-to" label="To" errors={errorsOf('to')}>
          {(attributes) => (
            <input {...attributes} type="date" value={to} onInput={(event) => setTo(event.currentTarget.value)} />
          )}
        </Field>
        <div class="field checkbox">
          <input
            id="backfill-force"
            type="checkbox"
            checked={force}
            onChange={(event) => setForce(event.currentTarget.checked)}
          />
          <label for="backfill-force">Also dates that already succeeded</label>
        </div>
        <button type="submit" disabled={start.busy}>
          {start.busy ? 'Starting…' : 'Start backfill'}
        </button>
      </form>
      <OutcomeLine outcome={start.outcome} />
      <OutcomeLine outcome={cancel.outcome} />
      <Loaded data={backfills.data} error={backfills.error} what="the backfills">
        {(data) =>
          data.backfills.length === 0 ? (
            <p class="muted">No backfills yet.</p>
          ) : (
            <ul class="backfills">
              {data.backfills.map((backfill) => (
                <li key={backfill.backfillId} aria-label={`Backfill ${backfill.from} to ${backfill.to}`}>
                  <BackfillProgress backfill={backfill} timezone={group.timezone} />
                  {isBackfillActive(backfill.status) ? (
                    <button
                      type="button"
                      class="secondary"
                      disabled={cancel.busy}
                      onClick={async () => {
                        if (!window.confirm(`Cancel backfill ${backfill.from} to ${backfill.to} for good?`)) return;
                        await cancel.run(
                          () => api<Backfill>('POST', `/backfills/${segment(backfill.backfillId)}/cancel`, {}),
                          () => `Backfill ${backfill.backfillId} cancelled`,
                        );
                        backfills.reload();
                      }}
                    >
                      Cancel backfill
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function isBackfillActive(status: string): boolean {
  return status === 'planning' || status === 'running';
}

function BackfillProgress({ backfill, timezone }: { backfill: Backfill; timezone: string }) {
  const { dates, jobs } = backfill.progress;
  const finished = dates.done + dates.failed + dates.skipped;
  return (
    <div class="backfill">
      <p>
        <strong>
          {backfill.from} to {backfill.to}
        </strong>{' '}
        <Status status={backfill.status} />
        {backfill.force ? <span class="muted"> (forced)</span> : null}
        <span class="muted"> · started {timeIn(backfill.createdAt, timezone)}</span>
      </p>
      <Progress
        label={`Backfill ${backfill.from} to ${backfill.to}: dates finished`}
        value={finished}
        max={dates.total}
        words={`${finished} of ${plural(dates.total, 'date')} finished (${dates.done} done, ${dates.skipped} skipped, ${dates.running} running, ${dates.pending} pending, ${dates.failed} failed)`}
      />
      <p class="muted">
        {plural(jobs.succeeded, 'job')} succeeded, {jobs.failed} failed
        {backfill.progress.rowsWritten === undefined ? '' : ` · ${plural(backfill.progress.rowsWritten, 'row')}`}
        {backfill.progress.upstreamRequests === undefined
          ? ''
          : ` · ${plural(backfill.progress.upstreamRequests, 'request')}`}
        {backfill.progress.etaSeconds === undefined || !isBackfillActive(backfill.status)
          ? ''
          : ` · about ${durationWords(backfill.progress.etaSeconds)} left`}
      </p>
      {backfill.reason === undefined ? null : <p>{backfill.reason}</p>}
      {backfill.failures.length === 0 ? null : (
        <ul class="failures">
          {backfill.failures.slice(0, 5).map((failure) => (
            <li key={`${failure.date}:${failure.error.code}`}>
              {failure.date}: <code>{failure.error.code}</code> {failure.error.message}
              {failure.runId === undefined ? null : (
                <>
                  {' '}
                  <a href={href(['runs', failure.runId])}>open the run</a>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
