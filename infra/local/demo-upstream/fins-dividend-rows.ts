import { type Disclosure, disclosuresOfIssue, disclosuresOn } from './demo-disclosures.ts';
import type { DemoIssue } from './demo-issues.ts';
import type { JquantsRow } from './demo-market.ts';
import { unitRandom } from './demo-random.ts';
import { dateOf, dateOfDayNumber, dayNumberOf, tradingDates, tradingIndexOnOrBefore } from './market-calendar.ts';

/**
 * `/fins/dividend` notices (jquants-v2.md §5.14): a dividend payer files with its half-year and full-year results —
 * the decided dividend, and with the full year a forecast for the next interim — and corrects about one decided
 * notice in twelve three trading days later. Amounts mix numbers with `"-"` (undetermined) and `""` (not set).
 */

const dividendSalt = { correction: 601, undetermined: 602 } as const;
const correctionDelayTradingDays = 3;
/** `CommDivRate` and `SpecDivRate` exist from this date; before it they are `""`. */
const commemorativeFieldsFrom = '2022-06-06';

type NoticeKind = 'decided' | 'forecast' | 'correction';

/** `RefNo`: the publication date and a per-issue sequence, unique and ascending by date. */
function referenceNumber(issue: DemoIssue, publishedDate: string, kind: NoticeKind): string {
  const sequence = issue.index * 4 + (kind === 'decided' ? 0 : kind === 'forecast' ? 1 : 2);
  return `${publishedDate.replaceAll('-', '')}${String(sequence).padStart(7, '0')}`;
}

function hasCorrection(disclosure: Disclosure): boolean {
  return unitRandom(disclosure.issue.seed, dayNumberOf(disclosure.date), dividendSalt.correction) < 1 / 12;
}

function isDividendResults(disclosure: Disclosure): boolean {
  return disclosure.kind === 'results' && disclosure.issue.paysDividend && disclosure.quarter % 2 === 0;
}

function notice(disclosure: Disclosure, kind: NoticeKind): JquantsRow {
  const { issue } = disclosure;
  const interim = kind === 'forecast' || disclosure.quarter === 2;
  // A full-year filing forecasts the next interim, six months after the year end.
  const termMonth = disclosure.periodEndMonth + (kind === 'forecast' ? 6 : 0);
  const recordDate = dateOf(disclosure.periodEndYear, termMonth + 1, 0);
  const correction = kind === 'correction';
  const publishedIndex = disclosure.tradingIndex + (correction ? correctionDelayTradingDays : 0);
  const publishedDate = tradingDates[publishedIndex] ?? disclosure.date;
  const undetermined =
    kind === 'forecast' && unitRandom(issue.seed, dayNumberOf(disclosure.date), dividendSalt.undetermined) < 0.25;
  const rate = Math.round(issue.base * 0.05) / 4 + (correction ? 0.5 : 0);
  const notSet = undetermined ? '-' : '';
  const newField = publishedDate < commemorativeFieldsFrom ? '' : 0;
  const refNo = referenceNumber(issue, publishedDate, kind);
  return {
    PubDate: publishedDate,
    PubTime: correction ? '16:00' : '15:00',
    Code: issue.code,
    RefNo: refNo,
    StatCode: correction ? '2' : '1',
    BoardDate: kind === 'forecast' ? '-' : disclosure.date,
    IFCode: interim ? '1' : '2',
    FRCode: kind === 'forecast' ? '2' : '1',
    IFTerm: recordDate.slice(0, 7),
    DivRate: undetermined ? '-' : rate,
    RecDate: recordDate,
    ExDate: tradingDates[tradingIndexOnOrBefore(recordDate) - 1] ?? '',
    ActRecDate: recordDate,
    PayDate: kind === 'forecast' ? '-' : dateOfDayNumber(dayNumberOf(disclosure.date) + 30),
    CARefNo: correction ? referenceNumber(issue, disclosure.date, 'decided') : refNo,
    DistAmt: notSet,
    RetEarn: notSet,
    DeemDiv: notSet,
    DeemCapGains: notSet,
    NetAssetDecRatio: notSet,
    CommSpecCode: '0',
    CommDivRate: newField,
    SpecDivRate: newField,
  };
}

/** The notices filed with one results disclosure (none when it carries no dividend). */
function noticesFiledWith(disclosure: Disclosure): JquantsRow[] {
  if (!isDividendResults(disclosure)) return [];
  const notices = [notice(disclosure, 'decided')];
  if (disclosure.quarter === 4) notices.push(notice(disclosure, 'forecast'));
  return notices;
}

/** The dividend notices an issue published on one trading day, by `RefNo`. */
export function dividendNoticesOn(issue: DemoIssue, tradingIndex: number): JquantsRow[] {
  const filed = disclosuresOn(issue, tradingIndex).flatMap(noticesFiledWith);
  const corrected = disclosuresOn(issue, tradingIndex - correctionDelayTradingDays)
    .filter((disclosure) => isDividendResults(disclosure) && hasCorrection(disclosure))
    .map((disclosure) => notice(disclosure, 'correction'));
  return [...filed, ...corrected];
}

/** Every dividend notice of an issue published in the trading-index range [start, end), by date. */
export function dividendNoticesOfIssue(issue: DemoIssue, start: number, end: number): JquantsRow[] {
  const rows: JquantsRow[] = [];
  for (const disclosure of disclosuresOfIssue(issue, Math.max(0, start - correctionDelayTradingDays), end)) {
    if (disclosure.tradingIndex >= start) rows.push(...noticesFiledWith(disclosure));
    const correctedAt = disclosure.tradingIndex + correctionDelayTradingDays;
    if (isDividendResults(disclosure) && hasCorrection(disclosure) && correctedAt >= start && correctedAt < end) {
      rows.push(notice(disclosure, 'correction'));
    }
  }
  return rows.sort((left, right) => String(left.RefNo).localeCompare(String(right.RefNo)));
}
