import { checkPageRows, rejectionOf } from '#shared/data-sources/check-page-rows.ts';
import type { JquantsClient, JquantsQuery } from '#shared/data-sources/jquants/jquants-client.ts';
import type { RowMapper } from '#shared/data-sources/jquants/row-mapper.ts';
import { jquantsRowMapper } from '#shared/data-sources/jquants/row-mappers.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { rowLayoutOf } from '#shared/datasets/row-layout.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { type EndpointRateLimit, endpointRateLimits } from '#shared/domain/data-source-settings.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type {
  CredentialsCheck,
  DataSource,
  FetchContext,
  FetchedPage,
  RejectedRow,
} from '#shared/ports/data-source.ts';
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

/** The J-Quants API V2 data source (design §1): params → query, page by page, rows normalised and checked. */
export class JquantsDataSource implements DataSource {
  readonly id = 'jquants';
  readonly #client: JquantsClient;
  readonly #clock: Clock;

  constructor(options: JquantsDataSourceOptions) {
    this.#client = options.client;
    this.#clock = options.clock;
  }

  /**
   * One job's answer, page by page as the caller pulls them: each page's rows normalised, checked against the
   * dataset's row schema (a row that breaks it is rejected, with its issue code), one per natural key; `next` is the
   * page's `pagination_key`. Bad params or a dataset of another source fail before any request.
   */
  async *fetchPages(
    dataset: DatasetDefinition,
    params: Readonly<Record<string, unknown>>,
    context: FetchContext,
  ): AsyncGenerator<FetchedPage> {
    const { endpoint } = dataset;
    if (dataset.dataSource !== 'jquants') {
      throw new PermanentUpstreamError(`dataset ${dataset.id} is not a J-Quants dataset`, { endpoint });
    }
    const mapRow = jquantsRowMapper(dataset);
    for await (const page of this.#client.pages(endpoint, queryOf(dataset, params), context)) {
      const { rows, rejected } = normalisePage(dataset, page.data, mapRow);
      yield {
        rows,
        rejected,
        ...(page.next === undefined ? {} : { next: page.next }),
        ...(page.restarted === true ? { restarted: true } : {}),
      };
    }
  }

  /** Asks the calendar for one day; a 403 (or any other failure) comes back as the reason, the upstream's words. */
  async validateCredentials(context: FetchContext = {}): Promise<CredentialsCheck> {
    const day = addDays(businessDateOf(this.#clock.now(), 'Asia/Tokyo'), -credentialsCheckLookbackDays);
    // A check is never a resumed answer; one page proves the key, and one day of the calendar never has another.
    const checkContext = { signal: context.signal, beforeRequest: context.beforeRequest };
    try {
      for await (const _page of this.#client.pages('/markets/calendar', { from: day, to: day }, checkContext)) break;
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
 * Maps every row of a page: a row the mapper cannot read is rejected with each bad field (and its issue code when
 * that field is readable); the mapped rows are checked against the dataset's row schema.
 */
function normalisePage(
  dataset: DatasetDefinition,
  rawRows: readonly unknown[],
  mapRow: RowMapper,
): { rows: Record<string, unknown>[]; rejected: RejectedRow[] } {
  const mapped: Record<string, unknown>[] = [];
  const unreadable: RejectedRow[] = [];
  for (const raw of rawRows) {
    const result = mapRow(raw);
    if (result.ok) mapped.push(result.row);
    else unreadable.push(rejectionOf(dataset, { ...rawSeriesOf(dataset, raw), ...result.readable }, result.problems));
  }
  const checked = checkPageRows(dataset, mapped);
  return { rows: checked.rows, rejected: [...unreadable, ...checked.rejected] };
}

/** Longest raw series value taken as a series: codes have 4–5 characters, investor-type sections about a dozen. */
const maxRawSeriesChars = 32;

/**
 * The series field of a row whose series could not be normalised (a code sent as a JSON number), read as sent from
 * its upstream field, so that the rejection still reaches the job that asked for it.
 */
function rawSeriesOf(dataset: DatasetDefinition, raw: unknown): Record<string, string> {
  const { seriesField } = rowLayoutOf(dataset);
  if (seriesField === undefined || typeof raw !== 'object' || raw === null) return {};
  const upstreamField = dataset.upstreamFields?.[seriesField] ?? seriesField;
  const value: unknown = Object.hasOwn(raw, upstreamField)
    ? (raw as Record<string, unknown>)[upstreamField]
    : undefined;
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || text === '' || text.length > maxRawSeriesChars) return {};
  return { [seriesField]: text };
}
