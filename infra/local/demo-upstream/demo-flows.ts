import type { DemoIssue } from './demo-issues.ts';
import { equityBar, type JquantsRow, outageIndex } from './demo-market.ts';
import { seedOf, unitRandom } from './demo-random.ts';
import type { Sector33 } from './demo-sectors.ts';
import { tradingDates, tradingDayNumbers } from './market-calendar.ts';

/** Daily selling flows: `/markets/short-ratio` per 33-sector and `/markets/breakdown` per issue. */

const flowSalt = { size: 801, day: 802, restricted: 803, unrestricted: 804 } as const;

/** The `/markets/short-ratio` row of a sector on a trading day; undefined on the outage day (no data). */
export function shortRatioRow(sector: Sector33, tradingIndex: number): JquantsRow | undefined {
  if (tradingIndex === outageIndex) return undefined;
  const seed = seedOf(`s33:${sector.code}`);
  const day = tradingDayNumbers[tradingIndex] ?? 0;
  const selling =
    1e10 * (0.3 + 2 * unitRandom(seed, 0, flowSalt.size)) * (0.7 + 0.6 * unitRandom(seed, day, flowSalt.day));
  return {
    Date: tradingDates[tradingIndex] ?? '',
    S33: sector.code,
    SellExShortVa: Math.round(selling),
    ShrtWithResVa: Math.round(selling * (0.25 + 0.15 * unitRandom(seed, day, flowSalt.restricted))),
    ShrtNoResVa: Math.round(selling * (0.04 + 0.04 * unitRandom(seed, day, flowSalt.unrestricted))),
  };
}

/** Share of the day's volume of each kind of trade, sells then buys (each side sums to about 1). */
const breakdownShares: ReadonlyArray<readonly [string, number]> = [
  ['LongSell', 0.5],
  ['ShrtNoMrgn', 0.3],
  ['MrgnSellNew', 0.12],
  ['MrgnSellClose', 0.08],
  ['LongBuy', 0.7],
  ['MrgnBuyNew', 0.18],
  ['MrgnBuyClose', 0.12],
];

/** The `/markets/breakdown` row of an issue on a trading day (zeros on a no-trade day); none on the outage day. */
export function breakdownRow(issue: DemoIssue, tradingIndex: number): JquantsRow | undefined {
  if (tradingIndex === outageIndex) return undefined;
  const bar = equityBar(issue, tradingIndex);
  const volume = typeof bar.Vo === 'number' ? bar.Vo : 0;
  const value = typeof bar.Va === 'number' ? bar.Va : 0;
  const day = tradingDayNumbers[tradingIndex] ?? 0;
  const row: Record<string, string | number> = { Date: bar.Date ?? '', Code: issue.code };
  const volumes = breakdownShares.map(([kind, share], salt) => {
    const part = Math.round((volume * share * (0.9 + 0.2 * unitRandom(issue.seed, day, 810 + salt))) / 100) * 100;
    row[`${kind}Va`] = volume === 0 ? 0 : Math.round((value * part) / volume);
    return [kind, part] as const;
  });
  for (const [kind, part] of volumes) row[`${kind}Vo`] = part;
  return row;
}
