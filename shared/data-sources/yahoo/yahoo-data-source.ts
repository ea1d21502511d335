import createYahooFinance from 'yahoo-finance2/createYahooFinance';
import chart from 'yahoo-finance2/modules/chart';
import { checkPageRows } from '#shared/data-sources/check-page-rows.ts';
import { defaultMaxBodyBytes } from '#shared/data-sources/read-capped-body.ts';
import { ChartResultSchema, type ChartRow, chartRows } from '#shared/data-sources/yahoo/chart-rows.ts';
import { isYahooValidationFailure, toUpstreamError } from '#shared/data-sources/yahoo/to-upstream-error.ts';
import { checkYahooCredentials } from '#shared/data-sources/yahoo/yahoo-credentials-check.ts';
import { createYahooTransport, yahooChartEndpoint } from '#shared/data-sources/yahoo/yahoo-transport.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { YahooChartDailyParamsSchema, yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { CredentialsCheck, DataSource, FetchContext, FetchedPage } from '#shared/ports/data-source.ts';
import { PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';

/** How a YahooDataSource reaches Yahoo. */
export interface YahooDataSourceOptions {
  /** `YAHOO_BASE_URL`: when set, every request to query1/query2.finance.yahoo.com goes here, path and query kept. */
  readonly baseUrl?: string | undefined;
  /** @default globalThis.fetch (looked up at call time) */
  readonly fetch?: typeof fetch | undefined;
  /** Limit of one HTTP request, body included; the wait in `beforeRequest` does not count. @default 30_000 */
  readonly timeoutMs?: number | undefined;
  /** Largest response body read, in bytes after decompression. @default 32 MiB */
  readonly maxBodyBytes?: number | undefined;
  /** Decides which session is still trading (its bar is left out) and dates the credentials check. */
  readonly clock: Clock;
}

type ChartCall = { symbol: string; from: string; to: string };

const silentLogger = { info: ignore, warn: ignore, error: ignore, debug: ignore, dir: ignore };
// Only the module we call: the default export carries every module (quote, search…), twice the bundle.
const YahooChartClient = createYahooFinance({ modules: { chart } });

/** The `yahoo` data source: daily bars from Yahoo's chart API through yahoo-finance2 (yahoo-finance.md). */
export class YahooDataSource implements DataSource {
  readonly id = 'yahoo' as const;
  readonly #client: InstanceType<typeof YahooChartClient>;
  readonly #baseUrl: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #clock: Clock;

  constructor(options: YahooDataSourceOptions) {
    this.#baseUrl = options.baseUrl;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
    this.#clock = options.clock;
    // Each call passes its own fetch (module options win over the instance's), so the instance fetch only guards
    // against a request escaping to the network unpaced.
    this.#client = new YahooChartClient({
      versionCheck: false,
      validation: { logErrors: false, logOptionsErrors: false },
      suppressNotices: ['yahooSurvey', 'ripHistorical'],
      queue: { concurrency: 1 },
      logger: silentLogger,
      fetch: () => Promise.reject(new Error('yahoo-finance2 made a request outside a data-source call')),
    });
  }

  /**
   * The daily bars of one symbol between `from` and `to` (inclusive, exchange-local dates), as the one page of the
   * answer: the chart API does not paginate, so `resumeAt` has nothing to resume. A bar that breaks the row schema is
   * rejected under the symbol.
   */
  async *fetchPages(
    dataset: DatasetDefinition,
    params: Readonly<Record<string, unknown>>,
    context: FetchContext,
  ): AsyncGenerator<FetchedPage> {
    const call = parseChartCall(dataset, params);
    const transportFetch = createYahooTransport({
      baseFetch: this.#fetch,
      baseUrl: this.#baseUrl,
      timeoutMs: this.#timeoutMs,
      maxBodyBytes: this.#maxBodyBytes,
      context,
      symbol: call.symbol,
      now: () => this.#clock.now(),
    });
    let rows: ChartRow[];
    try {
      rows = await this.#chartRows(call, transportFetch);
    } catch (error) {
      throw toUpstreamError(error, call.symbol);
    }
    yield checkPageRows(dataset, rows);
  }

  /** Yahoo needs no credentials: proves that a chart call for `^N225` over the last week works. */
  validateCredentials(context: FetchContext = {}): Promise<CredentialsCheck> {
    const options = {
      baseUrl: this.#baseUrl,
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      maxBodyBytes: this.#maxBodyBytes,
      clock: this.#clock,
    };
    return checkYahooCredentials(options, context);
  }

  async #chartRows(call: ChartCall, transportFetch: typeof fetch): Promise<ChartRow[]> {
    // Yahoo selects bars by their UTC timestamp, which can fall a day either side of the exchange-local date (a
    // Tokyo bar stamped at JST midnight is the previous UTC day): ask for a day more on each side and keep [from, to].
    const query = {
      period1: epochSeconds(addDays(call.from, -1)),
      period2: epochSeconds(addDays(call.to, 2)),
      interval: '1d',
      events: 'div|split',
      return: 'object',
    } as const;
    let raw: unknown;
    try {
      raw = await this.#client.chart(call.symbol, query, { fetch: transportFetch });
    } catch (error) {
      if (!isYahooValidationFailure(error)) throw error;
      // The library's schema covers meta fields we never read; our own schema below checks what rows need.
      raw = await this.#client.chart(call.symbol, query, { fetch: transportFetch, validateResult: false });
    }
    const parsed = ChartResultSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new PermanentUpstreamError(`Yahoo chart for ${call.symbol} has an unexpected shape: ${issues.join('; ')}`, {
        status: 200,
        endpoint: yahooChartEndpoint,
      });
    }
    return chartRows(parsed.data, { ...call, now: this.#clock.now() });
  }
}

function parseChartCall(dataset: DatasetDefinition, params: Readonly<Record<string, unknown>>): ChartCall {
  const endpoint = yahooChartEndpoint;
  if (dataset.id !== yahooChartDaily.id) {
    throw new PermanentUpstreamError(`the yahoo data source cannot fetch dataset ${dataset.id}`, { endpoint });
  }
  const parsed = YahooChartDailyParamsSchema.safeParse(params);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`);
    throw new PermanentUpstreamError(`invalid ${dataset.id} params: ${issues.join('; ')}`, { endpoint });
  }
  const { symbol, from, to } = parsed.data;
  if (from === undefined || to === undefined) {
    throw new PermanentUpstreamError(`${dataset.id} params need from and to (completeParams fills them)`, { endpoint });
  }
  return { symbol, from, to };
}

function epochSeconds(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

function ignore(): void {}
