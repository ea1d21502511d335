import { useState } from 'preact/hooks';
import { api, segment } from '../api.ts';
import { Field, Loaded, OutcomeLine, Status, useAction } from '../components.tsx';
import { localZone, timeIn } from '../format.ts';
import { useResource } from '../resource.ts';
import type { DataSource } from '../types.ts';

const jquantsPlans = ['free', 'light', 'standard', 'premium'] as const;

/** `#/data-sources`: plan, rate limit, pauses after 429s and credentials, per data source. */
export function DataSourcesPage() {
  const sources = useResource(
    'data-sources',
    () => api<{ dataSources: DataSource[] }>('GET', '/data-sources'),
    (data) => (data?.dataSources.some((source) => source.paused !== undefined) ? 3000 : 15_000),
  );
  return (
    <>
      <h1>Data sources</h1>
      <Loaded data={sources.data} error={sources.error} what="the data sources">
        {(data) => (
          <div class="cards">
            {data.dataSources.map((source) => (
              <DataSourceCard key={source.id} source={source} reload={sources.reload} />
            ))}
          </div>
        )}
      </Loaded>
    </>
  );
}

function DataSourceCard({ source, reload }: { source: DataSource; reload: () => void }) {
  const save = useAction();
  const check = useAction();
  const [plan, setPlan] = useState(source.plan ?? '');
  const [limit, setLimit] = useState(
    source.rateLimitSetting === undefined ? '' : String(source.rateLimitSetting.limit),
  );
  const [per, setPer] = useState(source.rateLimitSetting?.per ?? 'minute');
  const name = source.id === 'jquants' ? 'J-Quants' : source.id === 'yahoo' ? 'Yahoo Finance' : source.id;
  const issues = save.outcome?.ok === false ? save.outcome.error.issues : [];
  const errorsOf = (prefix: string) =>
    issues.filter((issue) => issue.path.startsWith(prefix)).map((issue) => `${issue.path}: ${issue.message}`);
  return (
    <section class="card" aria-labelledby={`source-${source.id}`}>
      <h2 id={`source-${source.id}`}>{name}</h2>
      <dl class="facts">
        {source.plan === undefined ? null : (
          <>
            <dt>Plan</dt>
            <dd>{source.plan}</dd>
          </>
        )}
        <dt>Rate limit in force</dt>
        <dd>
          {source.rateLimit.limit} a {source.rateLimit.per}
          <span class="muted">{source.rateLimitSetting === undefined ? ' (the default)' : ' (set explicitly)'}</span>
        </dd>
        <dt>Paused after 429s</dt>
        <dd>
          {source.paused === undefined ? (
            'no'
          ) : (
            <>
              <Status status="paused" /> until {timeIn(source.paused.until, localZone(), true)}
              {source.paused.consecutive429s === undefined ? '' : ` (${source.paused.consecutive429s} 429s in a row)`}
            </>
          )}
        </dd>
        <dt>Credentials</dt>
        <dd>
          {source.health === undefined ? (
            <span class="muted">not checked yet</span>
          ) : (
            <>
              <Status status={source.health.status} />
              {source.health.reason === undefined ? '' : ` ${source.health.reason}`}
              {source.health.checkedAt === undefined ? null : (
                <span class="muted"> · checked {timeIn(source.health.checkedAt, localZone())}</span>
              )}
            </>
          )}
        </dd>
      </dl>
      <div class="inline-actions">
        <button
          type="button"
          class="secondary"
          disabled={check.busy}
          onClick={async () => {
            await check.run(
              () => api<{ status: string; reason?: string }>('POST', `/data-sources/${segment(source.id)}/check`, {}),
              (health) =>
                health.status === 'ok'
                  ? `${name}: the credentials work`
                  : `${name}: the credentials check failed${health.reason === undefined ? '' : `: ${health.reason}`}`,
            );
            reload();
          }}
        >
          {check.busy ? 'Checking…' : 'Check credentials'}
        </button>
      </div>
      <OutcomeLine outcome={check.outcome} />
      <form
        aria-label={`Settings of ${name}`}
        onSubmit={async (event) => {
          event.preventDefault();
          const body: Record<string, unknown> = {
            version: source.version,
            ...(source.plan === undefined || plan === source.plan ? {} : { plan }),
            rateLimit: limit.trim() === '' ? null : { limit: Number(limit), per },
          };
          await save.run(
            () => api<DataSource>('PATCH', `/data-sources/${segment(source.id)}`, body),
            (saved) =>
              `${name}: ${saved.rateLimit.limit} a ${saved.rateLimit.per}${saved.plan === undefined ? '' : ` on the ${saved.plan} plan`}`,
          );
          reload();
        }}
      >
        {source.plan === undefined ? null : (
          <Field id={`${source.id}-plan`} label="Plan" errors={errorsOf('plan')}>
            {(attributes) => (
              <select {...attributes} value={plan} onChange={(event) => setPlan(event.currentTarget.value)}>
                {jquantsPlans.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field
          id={`${source.id}-limit`}
          label="Explicit rate limit (requests)"
          hint="Empty: the plan's or the source's default."
          errors={errorsOf('rateLimit')}
        >
          {(attributes) => (
            <input
              {...attributes}
              inputMode="numeric"
              value={limit}
              onInput={(event) => setLimit(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field id={`${source.id}-per`} label="Per">
          {(attributes) => (
            <select {...attributes} value={per} onChange={(event) => setPer(event.currentTarget.value)}>
              <option value="second">second</option>
              <option value="minute">minute</option>
              <option value="hour">hour</option>
            </select>
          )}
        </Field>
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : `Save ${name} settings`}
        </button>
      </form>
      <OutcomeLine outcome={save.outcome} />
    </section>
  );
}
