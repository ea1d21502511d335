import { describe, expect, it, vi } from 'vitest';
import { ChartResultSchema, type ChartRow, chartRows } from '#shared/data-sources/yahoo/chart-rows.ts';
import { YahooDataSource } from '#shared/data-sources/yahoo/yahoo-data-source.ts';
import { yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { onlyPageOf } from '#test/unit/data-sources/collect-pages.ts';
import {
  expectSilentConsolePerTest,
  loadYahooRecordings,
  yahooLoopbackPerFile,
} from '#test/unit/data-sources/yahoo-loopback.ts';

/** What each recording must turn into; values are the recorded ones without their float32 noise. */
interface RecordingExpectation {
  readonly symbol: string;
  readonly from: string;
  readonly to: string;
  readonly rowCount: number;
  readonly spotChecks: readonly ChartRow[];
}

const expectations: Record<string, RecordingExpectation> = {
  'chart-AAPL-2020-08-31-to-2020-11-07.json': {
    symbol: 'AAPL',
    from: '2020-08-31',
    to: '2020-11-06',
    rowCount: 49,
    spotChecks: [
      // The first day after the 4:1 split, stamped 14:30Z: its New York date.
      usd('AAPL', '2020-08-31', [127.58, 131, 126, 129.04, 225_702_700, 125.82674]),
      usd('AAPL', '2020-09-01', [132.76, 134.8, 130.53, 134.18, 151_948_100, 130.83871]),
      // Ex-dividend day, the last bar before period2.
      usd('AAPL', '2020-11-06', [118.32, 119.2, 116.13, 118.69, 114_457_900, 115.93415]),
    ],
  },
  'chart-MSFT-dividends-2021-02-01-to-2022-01-31.json': {
    symbol: 'MSFT',
    from: '2021-02-01',
    to: '2022-01-30',
    rowCount: 252,
    spotChecks: [
      usd('MSFT', '2021-02-01', [235.06, 242.5, 232.43, 239.65, 33_314_200, 231.18648]),
      usd('MSFT', '2021-02-17', [241.32, 244.31, 240.94, 244.2, 21_653_500, 236.11836]),
      usd('MSFT', '2022-01-28', [300.23, 308.48, 294.45, 308.26, 49_743_700, 299.86612]),
    ],
  },
  'chart-NVDA-split-2021-02-01-to-2022-01-31.json': {
    symbol: 'NVDA',
    from: '2021-02-01',
    to: '2022-01-30',
    rowCount: 252,
    spotChecks: [
      usd('NVDA', '2021-02-01', [13.05325, 13.27075, 12.90275, 13.237, 217_204_000, 13.203491]),
      // Around the 4:1 split of 2021-07-20: Yahoo's prices are split-adjusted on both sides.
      usd('NVDA', '2021-07-19', [17.91525, 19.042, 17.8655, 18.77975, 749_060_000, 18.742971]),
      usd('NVDA', '2021-07-20', [18.73, 18.838, 18.164, 18.612, 434_687_000, 18.575544]),
    ],
  },
  'chart-OCDO.L-2020-01-01-to-2020-01-03.json': {
    symbol: 'OCDO.L',
    from: '2020-01-01',
    to: '2020-01-02',
    rowCount: 1,
    spotChecks: [
      // Quoted in pence: the currency says so and the prices are not divided by 100.
      { ...bar('OCDO.L', '2020-01-02', [1279.5, 1286.57, 1258, 1259.5, 728_520, 1259.5]), currency: 'GBp' },
    ],
  },
  'chart-0P000071W8.TO-2020-01-01-to-2020-01-03.json': {
    symbol: '0P000071W8.TO',
    from: '2020-01-01',
    to: '2020-01-02',
    rowCount: 1,
    spotChecks: [
      // A fund: one NAV for all four prices and a recorded volume of 0, kept as sent.
      { ...bar('0P000071W8.TO', '2020-01-02', [73.72, 73.72, 73.72, 73.72, 0, 73.72]), currency: 'CAD' },
    ],
  },
  'chart-WSU.DE-2023-08-04-to-2023-08-09.json': {
    symbol: 'WSU.DE',
    from: '2023-08-04',
    to: '2023-08-08',
    rowCount: 3,
    spotChecks: [
      { ...bar('WSU.DE', '2023-08-04', [34.25, 34.55, 34.1, 34.45, 1251, 32.632496]), currency: 'EUR' },
      { ...bar('WSU.DE', '2023-08-07', [34.8, 34.8, 34, 34, 336, 32.206234]), currency: 'EUR' },
      { ...bar('WSU.DE', '2023-08-08', [34.05, 34.2, 32.9, 33.2, 10_846, 31.448442]), currency: 'EUR' },
    ],
  },
};

const recordings = loadYahooRecordings();
const clock = new FakeClock('2026-03-02T12:00:00Z');
const loopback = yahooLoopbackPerFile((started) => {
  for (const recording of recordings) {
    const { pathname } = new URL(recording.request.url);
    started.answer(pathname, { status: recording.response.status, json: recording.response.bodyJson });
  }
});
expectSilentConsolePerTest();

describe('YahooDataSource on the recorded Yahoo answers', () => {
  it('has an expectation for every recording', () => {
    expect(recordings.map((recording) => recording.file).sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(recordings.map((recording) => [recording.file, recording] as const))(
    'turns %s into one row per bar of the requested dates',
    async (file, recording) => {
      const expected = expectations[file];
      if (expected === undefined) throw new Error(`no expectation for ${file}`);
      const source = new YahooDataSource({ baseUrl: loopback.baseUrl, clock });
      const beforeRequest = vi.fn(async (_endpoint: string) => undefined);

      const result = await onlyPageOf(
        source.fetchPages(
          yahooChartDaily,
          { symbol: expected.symbol, from: expected.from, to: expected.to },
          { beforeRequest },
        ),
      );

      expect(result.rows).toHaveLength(expected.rowCount);
      expect(result.rows).toHaveLength(timestampsInRecordedWindow(recording.request.url, recording.response.bodyJson));
      for (const spotCheck of expected.spotChecks) {
        expect(result.rows.find((row) => row.date === spotCheck.date)).toEqual(spotCheck);
      }
      const dates = result.rows.map((row) => row.date);
      expect(dates).toEqual([...new Set(dates)].sort());
      for (const row of result.rows) {
        const stored = { ...row, fetchedAt: '2026-03-02T12:00:00.000Z', runId: 'run-1' };
        expect(yahooChartDaily.rowSchema.safeParse(stored).error).toBeUndefined();
      }
      expect(result.rejected).toEqual([]);
      expect(beforeRequest.mock.calls).toEqual([['/v8/finance/chart']]);
      expect(loopback.requests).toHaveLength(1);
      expect(loopback.requests[0]).toMatch(
        new RegExp(`^${new URL(recording.request.url).pathname.replace(/[.^]/g, '\\$&')}\\?.*interval=1d`),
      );
    },
  );

  it('keeps only the bars whose exchange date lies inside a narrower range', async () => {
    const source = new YahooDataSource({ baseUrl: loopback.baseUrl, clock });

    const result = await onlyPageOf(
      source.fetchPages(yahooChartDaily, { symbol: 'AAPL', from: '2020-09-01', to: '2020-09-30' }, {}),
    );

    // September 2020 had 21 NYSE sessions (Labor Day on the 7th).
    expect(result.rows).toHaveLength(21);
    expect(result.rows[0]?.date).toBe('2020-09-01');
    expect(result.rows.at(-1)?.date).toBe('2020-09-30');
    expect(result.rows.some((row) => row.date === '2020-09-07')).toBe(false);
  });

  it('parses every recording with its own schema without the library in between', () => {
    for (const recording of recordings) {
      const expected = expectations[recording.file];
      if (expected === undefined) throw new Error(`no expectation for ${recording.file}`);
      const body = recording.response.bodyJson as { chart: { result: unknown[] } };
      const parsed = ChartResultSchema.parse(body.chart.result[0]);

      expect(chartRows(parsed, { ...expected, now: clock.now() })).toHaveLength(expected.rowCount);
    }
  });
});

/** How many bars the recording holds inside the window it was recorded for (`period1 ≤ t < period2`). */
function timestampsInRecordedWindow(url: string, body: unknown): number {
  const query = new URL(url).searchParams;
  const period1 = Number(query.get('period1'));
  const period2 = Number(query.get('period2'));
  const result = ChartResultSchema.parse((body as { chart: { result: unknown[] } }).chart.result[0]);
  return (result.timestamp ?? []).filter((timestamp) => timestamp >= period1 && timestamp < period2).length;
}

function bar(
  symbol: string,
  date: string,
  values: readonly [number, number, number, number, number, number],
): ChartRow {
  const [open, high, low, close, volume, adjustedClose] = values;
  return { symbol, date, open, high, low, close, volume, adjustedClose, currency: null };
}

function usd(
  symbol: string,
  date: string,
  values: readonly [number, number, number, number, number, number],
): ChartRow {
  return { ...bar(symbol, date, values), currency: 'USD' };
}
