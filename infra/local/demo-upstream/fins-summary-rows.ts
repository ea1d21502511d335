import { type Disclosure, disclosureNumber } from './demo-disclosures.ts';
import type { JquantsRow } from './demo-market.ts';
import { centredRandom, unitRandom } from './demo-random.ts';
import { dateOf } from './market-calendar.ts';

/** Every `/fins/summary` field in wire order (jquants-v2.md §5.5); every value is a string, `""` when blank. */
const summaryFields = [
  ...['DiscDate', 'DiscTime', 'Code', 'DiscNo', 'DocType', 'CurPerType', 'CurPerSt', 'CurPerEn'],
  ...['CurFYSt', 'CurFYEn', 'NxtFYSt', 'NxtFYEn', 'Sales', 'OP', 'OdP', 'NP', 'EPS', 'DEPS', 'TA', 'Eq', 'EqAR'],
  ...['BPS', 'CFO', 'CFI', 'CFF', 'CashEq', 'Div1Q', 'Div2Q', 'Div3Q', 'DivFY', 'DivAnn', 'DivUnit', 'DivTotalAnn'],
  ...['PayoutRatioAnn', 'FDiv1Q', 'FDiv2Q', 'FDiv3Q', 'FDivFY', 'FDivAnn', 'FDivUnit', 'FDivTotalAnn'],
  ...['FPayoutRatioAnn', 'NxFDiv1Q', 'NxFDiv2Q', 'NxFDiv3Q', 'NxFDivFY', 'NxFDivAnn', 'NxFDivUnit'],
  ...['NxFPayoutRatioAnn', 'FSales2Q', 'FOP2Q', 'FOdP2Q', 'FNP2Q', 'FEPS2Q', 'NxFSales2Q', 'NxFOP2Q', 'NxFOdP2Q'],
  ...['NxFNp2Q', 'NxFEPS2Q', 'FSales', 'FOP', 'FOdP', 'FNP', 'FEPS', 'NxFSales', 'NxFOP', 'NxFOdP', 'NxFNp'],
  ...['NxFEPS', 'MatChgSub', 'SigChgInC', 'ChgByASRev', 'ChgNoASRev', 'ChgAcEst', 'RetroRst', 'ShOutFY'],
  ...['TrShFY', 'AvgSh', 'NCSales', 'NCOP', 'NCOdP', 'NCNP', 'NCEPS', 'NCTA', 'NCEq', 'NCEqAR', 'NCBPS'],
  ...['FNCSales2Q', 'FNCOP2Q', 'FNCOdP2Q', 'FNCNP2Q', 'FNCEPS2Q', 'NxFNCSales2Q', 'NxFNCOP2Q', 'NxFNCOdP2Q'],
  ...['NxFNCNP2Q', 'NxFNCEPS2Q', 'FNCSales', 'FNCOP', 'FNCOdP', 'FNCNP', 'FNCEPS', 'NxFNCSales', 'NxFNCOP'],
  ...['NxFNCOdP', 'NxFNCNP', 'NxFNCEPS', 'ShEq', 'ROE', 'NCShEq', 'NCROE'],
] as const;

const summarySalt = { sales: 501, margin: 502, time: 503, diluted: 504, estimate: 505, forecast: 506 } as const;
const discTimes = ['13:00:00', '15:00:00', '15:30:00', '16:00:00'] as const;
/** `SigChgInC` is empty up to this date; `ShEq`/`ROE` are sent from the next one. */
const scopeFlagFrom = '2024-07-22';
const equityFieldsFrom = '2026-08-03';

const integer = (value: number): string => String(Math.round(value));
const decimal = (value: number, digits: number): string => value.toFixed(digits);

/** One `/fins/summary` row for a disclosure. */
export function finsSummaryRow(disclosure: Disclosure): JquantsRow {
  const { issue, quarter, periodEndYear, periodEndMonth, date } = disclosure;
  const row: Record<string, string> = {};
  for (const field of summaryFields) row[field] = '';
  const monthsToYearEnd = (issue.fiscalYearEndMonth - periodEndMonth + 12) % 12;
  const yearEndYear = periodEndYear + (periodEndMonth + monthsToYearEnd > 12 ? 1 : 0);
  const yearEnd = dateOf(yearEndYear, issue.fiscalYearEndMonth + 1, 0);
  const yearStart = dateOf(yearEndYear, issue.fiscalYearEndMonth - 11, 1);
  const shares = issue.sharesOutstanding;
  const margin = 0.03 + 0.12 * unitRandom(issue.seed, 0, summarySalt.margin);
  const salesOf = (fiscalYear: number): number =>
    issue.sharesOutstanding *
    issue.base *
    0.8 *
    1.05 ** (fiscalYear - 2020) *
    (1 + 0.05 * centredRandom(issue.seed, fiscalYear, summarySalt.sales));
  const annualDividend = issue.paysDividend ? Math.round(issue.base * 0.05) / 2 : 0;
  const standard = issue.ifrs ? 'IFRS' : 'JP';
  Object.assign(row, {
    DiscDate: date,
    DiscTime:
      discTimes[Math.floor(unitRandom(issue.seed, disclosure.tradingIndex, summarySalt.time) * 4)] ?? '15:00:00',
    Code: issue.code,
    DiscNo: disclosureNumber(disclosure),
    CurPerSt: yearStart,
    CurPerEn: dateOf(periodEndYear, periodEndMonth + 1, 0),
    CurFYSt: yearStart,
    CurFYEn: yearEnd,
  });
  const forecast = (prefix: 'F' | 'NxF', fiscalYear: number, fraction: number, suffix: '' | '2Q'): void => {
    const sales =
      salesOf(fiscalYear) * fraction * (1 + 0.01 * centredRandom(issue.seed, fiscalYear, summarySalt.forecast));
    const profit = sales * margin * 0.68;
    row[`${prefix}Sales${suffix}`] = integer(sales);
    row[`${prefix}OP${suffix}`] = integer(sales * margin);
    row[`${prefix}OdP${suffix}`] = issue.ifrs ? '' : integer(sales * margin * 1.04);
    row[`${prefix === 'F' ? 'FNP' : 'NxFNp'}${suffix}`] = integer(profit);
    row[`${prefix}EPS${suffix}`] = decimal(profit / shares, 2);
  };
  if (disclosure.kind === 'revision') {
    Object.assign(row, { DocType: 'EarnForecastRevision', CurPerType: 'FY' });
    forecast('F', yearEndYear, 1, '');
    return row;
  }
  const fullYear = quarter === 4;
  const sales = salesOf(yearEndYear) * (quarter / 4);
  const profit = sales * margin * 0.68;
  const totalAssets = salesOf(yearEndYear) * 1.6;
  const equity = totalAssets * 0.42;
  const withCashFlows = quarter === 2 || fullYear;
  const flag = (share: number, salt: number): string =>
    unitRandom(issue.seed, disclosure.tradingIndex, salt) < share ? 'true' : 'false';
  Object.assign(row, {
    DocType: `${fullYear ? 'FY' : `${quarter}Q`}FinancialStatements_Consolidated_${standard}`,
    CurPerType: fullYear ? 'FY' : `${quarter}Q`,
    NxtFYSt: fullYear ? dateOf(yearEndYear, issue.fiscalYearEndMonth + 1, 1) : '',
    NxtFYEn: fullYear ? dateOf(yearEndYear + 1, issue.fiscalYearEndMonth + 1, 0) : '',
    Sales: integer(sales),
    OP: integer(sales * margin),
    OdP: issue.ifrs ? '' : integer(sales * margin * 1.04),
    NP: integer(profit),
    EPS: decimal(profit / shares, 2),
    DEPS: unitRandom(issue.seed, 0, summarySalt.diluted) < 0.3 ? decimal((profit / shares) * 0.99, 2) : '',
    TA: integer(totalAssets),
    Eq: integer(equity),
    EqAR: decimal(equity / totalAssets, 3),
    BPS: decimal(equity / shares, 2),
    CFO: withCashFlows ? integer(profit * 1.3) : '',
    CFI: withCashFlows ? integer(-profit * 0.8) : '',
    CFF: withCashFlows ? integer(-profit * 0.4) : '',
    CashEq: withCashFlows ? integer(totalAssets * 0.12) : '',
    Div2Q: quarter >= 2 ? String(annualDividend / 2) : '',
    DivFY: fullYear ? String(annualDividend / 2) : '',
    DivAnn: fullYear ? String(annualDividend) : '',
    DivTotalAnn: fullYear ? integer(annualDividend * shares) : '',
    PayoutRatioAnn: fullYear ? decimal((100 * annualDividend * shares) / Math.max(profit, 1), 1) : '',
    MatChgSub: 'false',
    SigChgInC: date < scopeFlagFrom ? '' : 'false',
    ChgByASRev: 'false',
    ChgNoASRev: 'false',
    ChgAcEst: flag(0.05, summarySalt.estimate),
    RetroRst: 'false',
    ShOutFY: integer(shares),
    TrShFY: integer(shares * 0.02),
    AvgSh: integer(shares * 0.98),
  });
  if (fullYear) {
    forecast('NxF', yearEndYear + 1, 1, '');
    forecast('NxF', yearEndYear + 1, 0.5, '2Q');
    Object.assign(row, {
      NxFDiv2Q: String(annualDividend / 2),
      NxFDivFY: String(annualDividend / 2),
      NxFDivAnn: String(annualDividend),
      NxFPayoutRatioAnn: decimal((100 * annualDividend * shares) / Math.max(profit * 1.05, 1), 1),
      NCSales: integer(sales * 0.4),
      NCOP: integer(sales * 0.4 * margin),
      NCOdP: integer(sales * 0.4 * margin * 1.1),
      NCNP: integer(sales * 0.4 * margin * 0.8),
      NCEPS: decimal((sales * 0.4 * margin * 0.8) / shares, 2),
      NCTA: integer(totalAssets * 0.5),
      NCEq: integer(equity * 0.6),
      NCEqAR: decimal((equity * 0.6) / (totalAssets * 0.5), 3),
      NCBPS: decimal((equity * 0.6) / shares, 2),
      ShEq: date < equityFieldsFrom ? '' : integer(equity * 0.97),
      ROE: date < equityFieldsFrom ? '' : decimal(profit / equity, 3),
    });
  } else {
    forecast('F', yearEndYear, 1, '');
    if (quarter === 1) forecast('F', yearEndYear, 0.5, '2Q');
    Object.assign(row, {
      FDiv2Q: quarter === 1 ? String(annualDividend / 2) : '',
      FDivFY: String(annualDividend / 2),
      FDivAnn: String(annualDividend),
      FPayoutRatioAnn: decimal((100 * annualDividend * shares) / Math.max(salesOf(yearEndYear) * margin * 0.68, 1), 1),
    });
  }
  return row;
}
