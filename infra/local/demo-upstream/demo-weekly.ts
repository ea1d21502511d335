import type { DemoIssue } from './demo-issues.ts';
import { type JquantsRow, rawMultiplier } from './demo-market.ts';
import { centredRandom, seedOf, unitRandom } from './demo-random.ts';
import {
  dateOfDayNumber,
  dayNumberOf,
  demoSpan,
  tradingDates,
  tradingIndexOnOrAfter,
  tradingIndexOnOrBefore,
  weekdayOf,
} from './market-calendar.ts';

/** One Monday-to-Friday week of the span that has trading days. */
interface TradingWeek {
  readonly startIndex: number;
  readonly endIndex: number;
  /** Trading index of the 4th business day of the next week: the investor-type publication (a Thursday). */
  readonly publishedIndex: number;
}

const weeks: TradingWeek[] = [];
{
  const firstDay = dayNumberOf(demoSpan.first);
  let monday = firstDay - ((weekdayOf(firstDay) + 6) % 7);
  for (; monday <= dayNumberOf(demoSpan.last); monday += 7) {
    const startIndex = tradingIndexOnOrAfter(dateOfDayNumber(monday));
    const endIndex = tradingIndexOnOrBefore(dateOfDayNumber(monday + 4));
    if (startIndex > endIndex) continue;
    weeks.push({ startIndex, endIndex, publishedIndex: tradingIndexOnOrAfter(dateOfDayNumber(monday + 7)) + 3 });
  }
}

/** Sections of the investor-type statistics before and after the 2022-04-04 market restructuring. */
const legacySections = ['TSE1st', 'TSE2nd', 'TSEMothers', 'TSEJASDAQ'] as const;
const currentSections = ['TSEPrime', 'TSEStandard', 'TSEGrowth', 'TokyoNagoya'] as const;
/** Every section name `/equities/investor-types` accepts. */
export const investorTypeSections: readonly string[] = [...currentSections, ...legacySections];
const restructuredFrom = '2022-04-04';
const sectionScale: Readonly<Record<string, number>> = {
  TSEPrime: 1,
  TSEStandard: 0.08,
  TSEGrowth: 0.05,
  TokyoNagoya: 1.12,
  TSE1st: 1,
  TSE2nd: 0.02,
  TSEMothers: 0.06,
  TSEJASDAQ: 0.04,
};
/** Investor groups and their share of a section's trading; `Tot` is `Prop` + `Brk`. */
const groupShares: ReadonlyArray<readonly [string, number]> = [
  ['Prop', 0.2],
  ['Brk', 0.8],
  ['Tot', 1],
  ['Ind', 0.2],
  ['Frgn', 0.55],
  ['SecCo', 0.01],
  ['InvTr', 0.02],
  ['BusCo', 0.02],
  ['OthCo', 0.005],
  ['InsCo', 0.003],
  ['Bank', 0.002],
  ['TrstBnk', 0.03],
  ['OthFin', 0.002],
];
/** A week of Prime trading, in JPY thousands per side. */
const weeklyTradingThousands = 2e10;

/** `/equities/investor-types` rows published in [from, to], optionally of one section, by publication date. */
export function investorTypeRows(from: string, to: string, section: string | undefined): JquantsRow[] {
  const rows: JquantsRow[] = [];
  for (const week of weeks) {
    const published = tradingDates[week.publishedIndex];
    const start = tradingDates[week.startIndex];
    const end = tradingDates[week.endIndex];
    if (published === undefined || start === undefined || end === undefined || published < from || published > to) {
      continue;
    }
    for (const name of start < restructuredFrom ? legacySections : currentSections) {
      if (section !== undefined && section !== name) continue;
      const seed = seedOf(name);
      const day = dayNumberOf(start);
      const row: Record<string, string | number> = { PubDate: published, StDate: start, EnDate: end, Section: name };
      groupShares.forEach(([group, share], salt) => {
        const size = weeklyTradingThousands * (sectionScale[name] ?? 1) * share;
        const sell = Math.round(size * (1 + 0.1 * centredRandom(seed, day, 2 * salt)));
        const buy = Math.round(size * (1 + 0.1 * centredRandom(seed, day, 2 * salt + 1)));
        Object.assign(row, { [`${group}Sell`]: sell, [`${group}Buy`]: buy });
        Object.assign(row, { [`${group}Tot`]: sell + buy, [`${group}Bal`]: buy - sell });
      });
      rows.push(row);
    }
  }
  return rows;
}

/** Weekly margin balances are published only for weeks with more than two business days. */
const marginWeeks = weeks.filter((week) => week.endIndex - week.startIndex + 1 > 2);
const marginWeekByDate = new Map(marginWeeks.map((week) => [tradingDates[week.endIndex] ?? '', week]));
const marginSalt = { long: 701, short: 702 } as const;

/** The application dates (`Date`, normally a Friday) of the weekly margin balances in [from, to]. */
export function marginDates(from: string, to: string): string[] {
  return marginWeeks.map((week) => tradingDates[week.endIndex] ?? '').filter((date) => date >= from && date <= to);
}

/** The `/markets/margin-interest` row of an issue for a margin date; undefined when there is none. */
export function marginInterestRow(issue: DemoIssue, date: string): JquantsRow | undefined {
  const week = marginWeekByDate.get(date);
  if (week === undefined || issue.margin === '3') return undefined;
  const day = dayNumberOf(date);
  // Balances count shares as they were then: not back-adjusted for a later split.
  const shares = issue.baseVolume / rawMultiplier(issue, week.endIndex);
  const roundLot = (value: number): number => Math.round(value / 100) * 100;
  const long = roundLot(shares * (2 + 3 * unitRandom(issue.seed, day, marginSalt.long)));
  const loanable = issue.margin === '2';
  const short = roundLot(shares * (loanable ? 0.4 + unitRandom(issue.seed, day, marginSalt.short) : 0.05));
  const longStandard = roundLot(long * 0.85);
  return {
    Date: date,
    Code: issue.code,
    ShrtVol: short,
    LongVol: long,
    ShrtNegVol: loanable ? roundLot(short * 0.1) : short,
    LongNegVol: long - longStandard,
    ShrtStdVol: loanable ? short - roundLot(short * 0.1) : 0,
    LongStdVol: longStandard,
    IssType: issue.margin,
  };
}
