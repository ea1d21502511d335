import { disclosuresOfIssue, disclosuresOn } from './demo-disclosures.ts';
import { breakdownRow, shortRatioRow } from './demo-flows.ts';
import { indexBar, indexCodes } from './demo-indices.ts';
import type { DemoIssue } from './demo-issues.ts';
import { type DemoMarket, equityBar, type JquantsRow } from './demo-market.ts';
import { sector17Names, sector33Of, sectors33 } from './demo-sectors.ts';
import { investorTypeRows, investorTypeSections, marginDates, marginInterestRow } from './demo-weekly.ts';
import { dividendNoticesOfIssue, dividendNoticesOn } from './fins-dividend-rows.ts';
import { finsSummaryRow } from './fins-summary-rows.ts';
import {
  checkIssueCode,
  clampRange,
  DemoBadRequestError,
  type ParamReader,
  readSelection,
  type Selection,
  selectionBounds,
  todayInTokyo,
} from './jquants-params.ts';
import {
  calendarDays,
  demoSpan,
  tradingDates,
  tradingIndexOf,
  tradingIndexOnOrAfter,
  tradingRange,
} from './market-calendar.ts';

/** Builds every row of one J-Quants endpoint for the request's params (before pagination). */
type Route = (params: ParamReader, market: DemoMarket) => JquantsRow[];

/** Rows of a per-issue daily endpoint: one issue over a range, or every issue on one trading day. */
function perIssueDaily(
  selection: Selection,
  market: DemoMarket,
  build: (issue: DemoIssue, tradingIndex: number) => JquantsRow | undefined,
): JquantsRow[] {
  const issues = selectedIssues(selection.selector, market);
  const { start, end } = selectionBounds(selection);
  const rows: JquantsRow[] = [];
  // Date-wide answers come sorted by code, one issue's series by date.
  for (const issue of issues) {
    for (let tradingIndex = start; tradingIndex < end; tradingIndex += 1) {
      const row = build(issue, tradingIndex);
      if (row !== undefined) rows.push(row);
    }
  }
  return rows;
}

function selectedIssues(code: string | undefined, market: DemoMarket): readonly DemoIssue[] {
  if (code === undefined) return market.issues;
  const issue = market.issueByCode(checkIssueCode(code));
  return issue === undefined ? [] : [issue];
}

const marketNames = { '0111': 'プライム', '0112': 'スタンダード', '0113': 'グロース' } as const;
const marginNames = { '1': '信用', '2': '貸借', '3': 'その他' } as const;

function masterRow(issue: DemoIssue, date: string): JquantsRow {
  return {
    Date: date,
    Code: issue.code,
    CoName: issue.companyName,
    CoNameEn: issue.companyNameEnglish,
    S17: issue.sector.sector17,
    S17Nm: sector17Names[issue.sector.sector17] ?? '',
    S33: issue.sector.code,
    S33Nm: issue.sector.name,
    ScaleCat: issue.scaleCategory,
    Mkt: issue.market,
    MktNm: marketNames[issue.market],
    Mrgn: issue.margin,
    MrgnNm: marginNames[issue.margin],
    ProdCat: '011',
  };
}

const equitiesMaster: Route = (params, market) => {
  const requested = params.date('date') ?? todayInTokyo();
  // A holiday or a future date gives the next business day's master.
  const date = requested < demoSpan.first ? undefined : tradingDates[tradingIndexOnOrAfter(requested)];
  if (date === undefined) return [];
  return selectedIssues(params.text('code'), market).map((issue) => masterRow(issue, date));
};

const marketsCalendar: Route = (params) => {
  const division = params.text('hol_div');
  if (division !== undefined && !['0', '1', '2', '3'].includes(division)) {
    throw new DemoBadRequestError(`Invalid hol_div: '${division}'.`);
  }
  const { from, to } = clampRange(params.date('from'), params.date('to'));
  const { dates, divisions } = calendarDays();
  const rows: JquantsRow[] = [];
  dates.forEach((date, offset) => {
    const holDiv = divisions[offset] ?? '0';
    if (date >= from && date <= to && (division === undefined || division === holDiv)) {
      rows.push({ Date: date, HolDiv: holDiv });
    }
  });
  return rows;
};

const finsSummary: Route = (params, market) => {
  const date = params.date('date');
  const code = params.text('code');
  if (date === undefined && code === undefined) {
    throw new DemoBadRequestError('This API requires at least 1 parameter as follows; date, code');
  }
  const issues = selectedIssues(code, market);
  if (date === undefined)
    return issues.flatMap((issue) => disclosuresOfIssue(issue, 0, tradingDates.length).map(finsSummaryRow));
  const tradingIndex = tradingIndexOf(date);
  if (tradingIndex < 0) return [];
  return issues.flatMap((issue) => disclosuresOn(issue, tradingIndex).map(finsSummaryRow));
};

const finsDividend: Route = (params, market) => {
  const selection = readSelection(params, 'code');
  const issues = selectedIssues(selection.selector, market);
  if (selection.kind === 'date') {
    const tradingIndex = tradingIndexOf(selection.date);
    return tradingIndex < 0 ? [] : issues.flatMap((issue) => dividendNoticesOn(issue, tradingIndex));
  }
  const { start, end } = tradingRange(selection.from, selection.to);
  return issues.flatMap((issue) => dividendNoticesOfIssue(issue, start, end));
};

const indicesBarsDaily: Route = (params) => {
  const selection = readSelection(params, 'code');
  const codes = selection.selector === undefined ? indexCodes : [selection.selector];
  const { start, end } = selectionBounds(selection);
  return codes.flatMap((code) => {
    const rows: JquantsRow[] = [];
    for (let tradingIndex = start; tradingIndex < end; tradingIndex += 1) {
      const row = indexBar(code, tradingIndex);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  });
};

const topixBarsDaily: Route = (params) => {
  if (params.has('date'))
    throw new DemoBadRequestError('This API does not accept the parameter date; use from and to.');
  const { from, to } = clampRange(params.date('from'), params.date('to'));
  const { start, end } = tradingRange(from, to);
  const rows: JquantsRow[] = [];
  for (let tradingIndex = start; tradingIndex < end; tradingIndex += 1) {
    const { Code: _code, ...bar } = indexBar('0000', tradingIndex) ?? {};
    rows.push(bar);
  }
  return rows;
};

const investorTypes: Route = (params) => {
  const section = params.text('section');
  if (section !== undefined && !investorTypeSections.includes(section)) {
    throw new DemoBadRequestError(`Invalid section: '${section}'.`);
  }
  const { from, to } = clampRange(params.date('from'), params.date('to'));
  return investorTypeRows(from, to, section);
};

const marginInterest: Route = (params, market) => {
  const selection = readSelection(params, 'code');
  const dates = selection.kind === 'date' ? [selection.date] : marginDates(selection.from, selection.to);
  return selectedIssues(selection.selector, market).flatMap((issue) =>
    dates.flatMap((date): JquantsRow[] => {
      const row = marginInterestRow(issue, date);
      return row === undefined ? [] : [row];
    }),
  );
};

const shortRatio: Route = (params) => {
  const selection = readSelection(params, 's33');
  const code = selection.selector;
  if (code !== undefined && !/^\d{1,4}$/.test(code)) throw new DemoBadRequestError(`Invalid s33: '${code}'.`);
  const sector = code === undefined ? undefined : sector33Of(code);
  const sectors = code === undefined ? sectors33 : sector === undefined ? [] : [sector];
  const { start, end } = selectionBounds(selection);
  const rows: JquantsRow[] = [];
  for (let tradingIndex = start; tradingIndex < end; tradingIndex += 1) {
    for (const each of sectors) {
      const row = shortRatioRow(each, tradingIndex);
      if (row !== undefined) rows.push(row);
    }
  }
  return rows;
};

/** Every J-Quants path the demo serves, relative to `/v2`. */
export const jquantsRoutes: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/equities/master', equitiesMaster],
  ['/equities/bars/daily', (params, market) => perIssueDaily(readSelection(params, 'code'), market, equityBar)],
  ['/markets/calendar', marketsCalendar],
  ['/fins/summary', finsSummary],
  ['/fins/dividend', finsDividend],
  ['/indices/bars/daily', indicesBarsDaily],
  ['/indices/bars/daily/topix', topixBarsDaily],
  ['/equities/investor-types', investorTypes],
  ['/markets/margin-interest', marginInterest],
  ['/markets/short-ratio', shortRatio],
  ['/markets/breakdown', (params, market) => perIssueDaily(readSelection(params, 'code'), market, breakdownRow)],
]);
