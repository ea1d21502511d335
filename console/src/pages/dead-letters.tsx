import { api } from '../api.ts';
import { Loaded, OutcomeLine, useAction } from '../components.tsx';
import { localZone, plural, timeIn } from '../format.ts';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import type { DeadLetter } from '../types.ts';

interface RedriveResult {
  readonly redriven: number;
  readonly discarded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly more: boolean;
}

/** `#/dead-letters`: the letters waiting in the dead-letter queues, their errors, and redrive. */
export function DeadLettersPage({ groupId, runId }: { groupId?: string; runId?: string }) {
  const filter = { ...(groupId === undefined ? {} : { groupId }), ...(runId === undefined ? {} : { runId }) };
  const query = new URLSearchParams(filter).toString();
  const letters = useResource(
    `dead-letters:${query}`,
    // Read on arrival and after a redrive only: a read hides the letters for a moment from a redrive elsewhere.
    () => api<{ deadLetters: DeadLetter[] }>('GET', `/dead-letters${query === '' ? '' : `?${query}`}`),
  );
  const redrive = useAction();
  const scope =
    runId !== undefined ? `of run ${runId}` : groupId !== undefined ? `of group ${groupId}` : 'of every group';
  return (
    <>
      <h1>Dead letters</h1>
      <p>
        Jobs that failed for good wait here with their last error. Fix the cause (a key, a plan, the upstream), then
        redrive them: their jobs reopen in their runs and go back to their queues.
        {query === '' ? null : (
          <>
            {' '}
            Showing the letters {scope}; <a href={href(['dead-letters'])}>show all</a>.
          </>
        )}
      </p>
      <Loaded data={letters.data} error={letters.error} what="the dead letters">
        {(data) => (
          <>
            <div class="inline-actions">
              <button type="button" onClick={() => letters.reload()}>
                Refresh
              </button>
              <button
                type="button"
                disabled={redrive.busy || data.deadLetters.length === 0}
                onClick={async () => {
                  await redrive.run(
                    () => api<RedriveResult>('POST', '/dead-letters/redrive', filter),
                    (result) =>
                      `Redriven ${plural(result.redriven, 'letter')}` +
                      (result.skipped > 0 ? `, ${result.skipped} skipped` : '') +
                      (result.discarded > 0 ? `, ${result.discarded} discarded (stale)` : '') +
                      (result.failed > 0 ? `, ${result.failed} failed` : '') +
                      (result.more ? '; more remain, redrive again' : ''),
                  );
                  letters.reload();
                }}
              >
                {redrive.busy ? 'Redriving…' : `Redrive ${plural(data.deadLetters.length, 'letter')} ${scope}`}
              </button>
            </div>
            <OutcomeLine outcome={redrive.outcome} />
            {data.deadLetters.length === 0 ? (
              <p class="muted">No dead letters {scope}.</p>
            ) : (
              <table class="letters">
                <caption class="visually-hidden">Dead letters</caption>
                <thead>
                  <tr>
                    <th scope="col">Job</th>
                    <th scope="col">Group and run</th>
                    <th scope="col">Error</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Failed at</th>
                  </tr>
                </thead>
                <tbody>
                  {data.deadLetters.map((letter) => (
                    <tr key={letter.id}>
                      <th scope="row">
                        <span class="mono">{letter.jobId ?? '(unreadable message)'}</span>
                        <div class="muted">
                          {letter.dataSource}
                          {letter.dataset === null ? '' : ` · ${letter.dataset}`}
                        </div>
                      </th>
                      <td>
                        {letter.groupId === null ? (
                          '—'
                        ) : (
                          <a href={href(['groups', letter.groupId])}>{letter.groupId}</a>
                        )}
                        {letter.runId === null ? null : (
                          <div>
                            <a class="mono" href={href(['runs', letter.runId])}>
                              {letter.runId}
                            </a>
                          </div>
                        )}
                      </td>
                      <td>
                        <code>{letter.error.code}</code> {letter.error.message}
                      </td>
                      <td>{letter.attemptsMade ?? '—'}</td>
                      <td>{letter.failedAt === null ? '—' : timeIn(letter.failedAt, localZone())}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loaded>
    </>
  );
}
