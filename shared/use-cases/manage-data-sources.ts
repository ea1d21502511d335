import { type DataSourceId, DataSourceIdSchema } from '#shared/domain/data-source.ts';
import {
  type DataSourceHealth,
  type DataSourceSettings,
  type DataSourceSettingsPatch,
  defaultSettings,
  effectiveRateLimit,
  type RateLimit,
} from '#shared/domain/data-source-settings.ts';
import { ValidationError, VersionConflictError } from '#shared/domain/errors.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSource } from '#shared/ports/data-source.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { RateLimiter, RateLimitStatus } from '#shared/ports/rate-limiter.ts';

/** A data source as the admin API shows it: its settings and the rate limit in force. */
export interface DataSourceView {
  readonly id: DataSourceId;
  readonly plan?: DataSourceSettings['plan'];
  /** The explicit override, when one is set. */
  readonly rateLimitSetting?: RateLimit;
  /** The limit the token bucket enforces: the override, else the plan's, else the source's default. */
  readonly rateLimit: RateLimit;
  /** Whether its credentials worked at the last check or job; absent until one happened. */
  readonly health?: DataSourceHealth;
  /** Set while the source is paused after the upstream answered 429. */
  readonly paused?: { readonly until: string; readonly consecutive429s: number };
  readonly updatedAt: string;
  readonly version: number;
}

interface Deps {
  readonly settingsStore: DataSourceSettingsStore;
  readonly clock: Clock;
  /** Where pauses after 429s are kept; without it no pause is shown. */
  readonly rateLimiter?: Pick<RateLimiter, 'status'>;
}

/** Every data source with its settings (defaults for those never configured). */
export async function listDataSources(deps: Deps): Promise<DataSourceView[]> {
  return Promise.all(DataSourceIdSchema.options.map((id) => getDataSource(id, deps)));
}

/** One data source's settings. */
export async function getDataSource(id: DataSourceId, deps: Deps): Promise<DataSourceView> {
  const [settings, health, limits] = await Promise.all([
    settingsOf(id, deps),
    deps.settingsStore.getHealth(id),
    deps.rateLimiter?.status(id),
  ]);
  return viewOf(settings, health, limits);
}

/** Sets the plan and/or the rate limit (`rateLimit: null` returns to the plan's default). */
export async function updateDataSource(
  id: DataSourceId,
  patch: Omit<DataSourceSettingsPatch, 'version'>,
  expectedVersion: number | undefined,
  deps: Deps,
): Promise<DataSourceView> {
  if (patch.plan !== undefined && id !== 'jquants') {
    throw ValidationError.of('plan', `only jquants has plans; set rateLimit for ${id}`);
  }
  const current = await settingsOf(id, deps);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new VersionConflictError('data source settings', id, expectedVersion);
  }
  const { rateLimit: _previousLimit, ...rest } = current;
  const rateLimit = patch.rateLimit === undefined ? current.rateLimit : (patch.rateLimit ?? undefined);
  const next: DataSourceSettings = {
    ...rest,
    ...(patch.plan === undefined ? {} : { plan: patch.plan }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    updatedAt: deps.clock.now().toISOString(),
    version: current.version + 1,
  };
  await deps.settingsStore.put(next, current.version);
  return viewOf(next, await deps.settingsStore.getHealth(id), await deps.rateLimiter?.status(id));
}

/**
 * Checks a data source's credentials with its cheapest real call and records the outcome as its health. The call
 * takes a request slot like any job's, so a check never pushes the source past its rate limit; when no slot comes
 * within the limiter's wait, `RateLimitDeferral` is thrown before the upstream is called, and nothing is recorded.
 */
export async function checkDataSourceCredentials(
  dataSource: Pick<DataSource, 'id' | 'validateCredentials'>,
  deps: Pick<Deps, 'settingsStore' | 'clock'> & { readonly rateLimiter: Pick<RateLimiter, 'acquire'> },
): Promise<DataSourceHealth> {
  const check = await dataSource.validateCredentials({
    beforeRequest: (endpoint) => deps.rateLimiter.acquire(dataSource.id, endpoint),
  });
  const health: DataSourceHealth = {
    status: check.ok ? 'ok' : 'failing',
    ...(check.ok ? {} : { reason: check.reason }),
    checkedAt: deps.clock.now().toISOString(),
  };
  await deps.settingsStore.recordHealth(dataSource.id, health);
  return health;
}

async function settingsOf(id: DataSourceId, deps: Deps): Promise<DataSourceSettings> {
  return (await deps.settingsStore.get(id)) ?? defaultSettings(id, deps.clock.now().toISOString());
}

function viewOf(
  settings: DataSourceSettings,
  health: DataSourceHealth | undefined,
  limits: RateLimitStatus | undefined,
): DataSourceView {
  return {
    id: settings.id,
    ...(settings.plan === undefined ? {} : { plan: settings.plan }),
    ...(settings.rateLimit === undefined ? {} : { rateLimitSetting: settings.rateLimit }),
    rateLimit: effectiveRateLimit(settings),
    ...(health === undefined ? {} : { health }),
    ...(limits?.pausedUntil === undefined
      ? {}
      : { paused: { until: limits.pausedUntil, consecutive429s: limits.consecutive429s } }),
    updatedAt: settings.updatedAt,
    version: settings.version,
  };
}
