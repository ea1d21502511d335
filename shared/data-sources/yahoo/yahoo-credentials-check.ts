import { defaultMaxBodyBytes } from '#shared/data-sources/read-capped-body.ts';
import { type ChartResult, ChartResultSchema, chartRows } from '#shared/data-sources/yahoo/chart-rows.ts';
import { toUpstreamError } from '#shared/data-sources/yahoo/to-upstream-error.ts';
import { createYahooTransport, yahooChartEndpoint } from '#shared/data-sources/yahoo/yahoo-transport.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { CredentialsCheck, FetchContext } from '#shared/ports/data-source.ts';
import { PermanentUpstreamError, UpstreamError } from '#shared/ports/upstream-errors.ts';
import packageJson from '../../../package.json' with { type: 'json' };

/** How the check reaches Yahoo: the same options, with the same defaults, as a YahooDataSource. */
export interface YahooCredentialsCheckOptions {
  /** `YAHOO_BASE_URL`: replaces `https://query1|query2.finance.yahoo.com`, path and query kept. */
  readonly baseUrl?: string | undefined;
  /** @default globalThis.fetch (looked up at call time) */
  readonly fetch?: typeof fetch | undefined;
  /** @default 30_000 */
  readonly timeoutMs?: number | undefined;
  /** Largest response body read, in bytes after decompression. @default 32 MiB */
  readonly maxBodyBytes?: number | undefined;
  /** Dates the week the check asks for. */
  readonly clock: Clock;
}

const checkSymbol = '^N225';
const chartUrl = `https://query2.finance.yahoo.com${yahooChartEndpoint}/${checkSymbol}`;
// The form yahoo-finance2 found Yahoo to accept, naming us instead of the library.
const userAgent = `Mozilla/5.0 (compatible; moomoo-markets/${packageJson.version})`;

/**
 * Yahoo needs no credentials: proves that a chart call for `^N225` over the last week works. It asks what
 * YahooDataSource asks yahoo-finance2 for (host, query, `YAHOO_BASE_URL`), through the same transport (pacing,
 * timeout, error classes), and makes rows of the answer with the same schema, without the library, so that the
 * admin function checks Yahoo without bundling it.
 */
export async function checkYahooCredentials(
  options: YahooCredentialsCheckOptions,
  context: FetchContext = {},
): Promise<CredentialsCheck> {
  const { clock } = options;
  const to = clock.now().toISOString().slice(0, 10);
  const from = addDays(to, -7);
  const transportFetch = createYahooTransport({
    baseFetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
    context,
    symbol: checkSymbol,
    now: () => clock.now(),
  });
  try {
    const response = await transportFetch(`${chartUrl}?${chartQuery(from, to)}`, {
      headers: { 'user-agent': userAgent },
    });
    chartRows(chartResultOf(await response.text()), { symbol: checkSymbol, from, to, now: clock.now() });
    return { ok: true };
  } catch (caught) {
    // Classified as a data-source fetch classifies it; a failing `beforeRequest` comes back as it was thrown.
    const error = toUpstreamError(caught, checkSymbol);
    if (!(error instanceof UpstreamError)) throw error;
    return { ok: false, reason: `a chart request for ${checkSymbol} failed: ${error.message}` };
  }
}

/** The query YahooDataSource's chart call sends: yahoo-finance2's defaults, a day more on each side of the dates. */
function chartQuery(from: string, to: string): string {
  return new URLSearchParams({
    useYfid: 'true',
    interval: '1d',
    includePrePost: 'true',
    events: 'div|split',
    lang: 'en-US',
    period1: String(epochSeconds(addDays(from, -1))),
    period2: String(epochSeconds(addDays(to, 2))),
  }).toString();
}

/** `chart.result[0]` of an OK answer; Yahoo's error description (sent with status 200) or a bad shape throws. */
function chartResultOf(body: string): ChartResult {
  const answer: unknown = JSON.parse(body);
  const chart = typeof answer === 'object' && answer !== null && 'chart' in answer ? answer.chart : undefined;
  if (typeof chart !== 'object' || chart === null) throw new Error(`Unexpected result: ${body}`);
  const error = 'error' in chart ? chart.error : undefined;
  if (typeof error === 'object' && error !== null) {
    throw new Error('description' in error && typeof error.description === 'string' ? error.description : body);
  }
  const first = 'result' in chart && Array.isArray(chart.result) ? chart.result[0] : undefined;
  const parsed = ChartResultSchema.safeParse(first);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new PermanentUpstreamError(`Yahoo chart for ${checkSymbol} has an unexpected shape: ${issues.join('; ')}`, {
      status: 200,
      endpoint: yahooChartEndpoint,
    });
  }
  return parsed.data;
}

function epochSeconds(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}
