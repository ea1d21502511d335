import type { JquantsClient, JquantsQuery } from '#shared/data-sources/jquants/jquants-client.ts';
import type { RowMapper } from '#shared/data-sources/jquants/row-mapper.ts';
import { jquantsRowMapper } from '#shared/data-sources/jquants/row-mappers.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { type EndpointRateLimit, endpointRateLimits } from '#shared/domain/data-source-settings.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { CredentialsCheck, DataSource, FetchContext, FetchResult } from '#shared/ports/data-source.ts';
import { PermanentUpstreamError, UpstreamError } from '#shared/ports/upstream-errors.ts';

/** `/fins/summary` and `/fins/details` allow 60 requests a minute on every plan, on top of the plan's own limit. */
export const jquantsEndpointRateLimits: readonly EndpointRateLimit[] = endpointRateLimits('jquants');

/** What a JquantsDataSource is built from. */
export interface JquantsDataSourceOptions {
  readonly client: JquantsClient;
  /** Dates the credentials check. */
  readonly clock: Clock;
}

/**
 * Days before today the credentials check asks the calendar about: a Free key withholds the newest 12 weeks and
 * J-Quants answers 403 for data outside the plan, so "today" could fail a good Free key (jquants-v2.md §2, §7 q4).
 */
const credentialsCheckLookbackDays = 365;

/** Stands in for the worker's stamps while a row is checked against its dataset's schema. */
const checkMetadata = { fetchedAt: '2000-01-01T00:00:00.000Z', runId: 'row-check' };

/** The J-Quants API V2 data source (design §1): params → query, all pages, rows normalised and checked. */
export class JquantsDataSource implements DataSource {
  readonly id = 'jquants';
  readonly #client: JquantsClient;
  readonly #clock: Clock;

  constructor(options: JquantsDataSourceOptions) {
    this.#client = options.client;
    this.#clock = options.clock;
  }

  /** Fetches one job's rows: every page, normalised, checked against the dataset's row schema, one per natural key. */
  async fetch(
    dataset: DatasetDefinition,
    params: Readonly<Record<string, unknown>>,
    context: FetchContext,
  ): Promise<FetchResult> {
    const { endpoint } = dataset;
    if (dataset.dataSource !== 'jquants') {
      throw new PermanentUpstreamError(`dataset ${dataset.id} is not a J-Quants dataset`, { endpoint });
    }
    const mapRow = jquantsRowMapper(dataset);
    const answer = await this.#client.getAll(endpoint, queryOf(dataset, params), context);
    return { rows: normaliseRows(dataset, answer.rows, mapRow), upstreamRequests: answer.requests };
  }

  /** Asks the calendar for one day; a 403 (or any other failure) comes back as the reason, the upstream's words. */
  async validateCredentials(context: FetchContext = {}): Promise<CredentialsCheck> {
    const day = addDays(businessDateOf(this.#clock.now(), 'Asia/Tokyo'), -credentialsCheckLookbackDays);
    try {
      await this.#client.getAll('/markets/calendar', { from: day, to: day }, context);
      return { ok: true };
    } catch (error) {
      if (error instanceof UpstreamError) return { ok: false, reason: error.message };
      throw error;
    }
  }
}

/** The job's params as a query; they are checked first, so a broken job fails without spending a request. */
function queryOf(dataset: DatasetDefinition, params: Readonly<Record<string, unknown>>): JquantsQuery {
  const { endpoint } = dataset;
  const parsed = dataset.paramsSchema.safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`);
    throw new PermanentUpstreamError(`params of ${dataset.id} are invalid: ${problems.join('; ')}`, { endpoint });
  }
  const query: Record<string, string> = {};
  // Param names are J-Quants' own (`code`, `date`, `hol_div`); a 4-character code is sent as given.
  for (const [name, value] of Object.entries(parsed.data as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      query[name] = String(value);
    } else {
      throw new PermanentUpstreamError(`param ${name} of ${dataset.id} is not a plain value`, { endpoint });
    }
  }
  return query;
}

/**
 * Maps every row, checks it against the dataset's row schema (a row that breaks it fails the job as permanent), and
 * keeps one row per natural key: pages are not consistent when data changes mid-loop, and the later page wins.
 */
function normaliseRows(
  dataset: DatasetDefinition,
  rawRows: readonly unknown[],
  mapRow: RowMapper,
): FetchResult['rows'] {
  const { endpoint } = dataset;
  const byKey = new Map<string, Record<string, unknown>>();
  rawRows.forEach((raw, index) => {
    const row = mapRow(raw);
    const checked = dataset.rowSchema.safeParse({ ...row, ...checkMetadata });
    if (!checked.success) {
      const [issue] = checked.error.issues;
      const problem = issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`;
      const message = `J-Quants ${endpoint} row ${index} breaks the ${dataset.id} row schema: ${problem}`;
      throw new PermanentUpstreamError(message, { endpoint });
    }
    byKey.set(JSON.stringify(dataset.naturalKey.map((field) => row[field])), row);
  });
  return [...byKey.values()];
}
