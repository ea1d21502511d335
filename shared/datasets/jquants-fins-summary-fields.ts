/**
 * The numeric fields of `/fins/summary` rows: readable row name → upstream name (jquants-v2.md §5.5). J-Quants sends
 * every one as a string (`""` when blank); rows store numbers or null.
 */

/** Actual results of the period (consolidated unless prefixed `nonConsolidated`). */
export const finsSummaryActualFields = {
  netSales: 'Sales',
  operatingProfit: 'OP',
  ordinaryProfit: 'OdP',
  profit: 'NP',
  earningsPerShare: 'EPS',
  dilutedEarningsPerShare: 'DEPS',
  totalAssets: 'TA',
  equity: 'Eq',
  equityToAssetRatio: 'EqAR',
  bookValuePerShare: 'BPS',
  operatingCashFlow: 'CFO',
  investingCashFlow: 'CFI',
  financingCashFlow: 'CFF',
  cashAndEquivalents: 'CashEq',
  sharesOutstandingAtFiscalYearEnd: 'ShOutFY',
  treasurySharesAtFiscalYearEnd: 'TrShFY',
  averageShares: 'AvgSh',
  nonConsolidatedNetSales: 'NCSales',
  nonConsolidatedOperatingProfit: 'NCOP',
  nonConsolidatedOrdinaryProfit: 'NCOdP',
  nonConsolidatedProfit: 'NCNP',
  nonConsolidatedEarningsPerShare: 'NCEPS',
  nonConsolidatedTotalAssets: 'NCTA',
  nonConsolidatedEquity: 'NCEq',
  nonConsolidatedEquityToAssetRatio: 'NCEqAR',
  nonConsolidatedBookValuePerShare: 'NCBPS',
} as const;

/** Dividends per share: actual, forecast for this fiscal year, forecast for the next one. */
export const finsSummaryDividendFields = {
  dividendPerShare1stQuarter: 'Div1Q',
  dividendPerShare2ndQuarter: 'Div2Q',
  dividendPerShare3rdQuarter: 'Div3Q',
  dividendPerShareFiscalYearEnd: 'DivFY',
  dividendPerShareAnnual: 'DivAnn',
  distributionPerUnit: 'DivUnit',
  totalDividendPaidAnnual: 'DivTotalAnn',
  payoutRatioAnnual: 'PayoutRatioAnn',
  forecastDividendPerShare1stQuarter: 'FDiv1Q',
  forecastDividendPerShare2ndQuarter: 'FDiv2Q',
  forecastDividendPerShare3rdQuarter: 'FDiv3Q',
  forecastDividendPerShareFiscalYearEnd: 'FDivFY',
  forecastDividendPerShareAnnual: 'FDivAnn',
  forecastDistributionPerUnit: 'FDivUnit',
  forecastTotalDividendPaidAnnual: 'FDivTotalAnn',
  forecastPayoutRatioAnnual: 'FPayoutRatioAnn',
  nextYearForecastDividendPerShare1stQuarter: 'NxFDiv1Q',
  nextYearForecastDividendPerShare2ndQuarter: 'NxFDiv2Q',
  nextYearForecastDividendPerShare3rdQuarter: 'NxFDiv3Q',
  nextYearForecastDividendPerShareFiscalYearEnd: 'NxFDivFY',
  nextYearForecastDividendPerShareAnnual: 'NxFDivAnn',
  nextYearForecastDistributionPerUnit: 'NxFDivUnit',
  nextYearForecastPayoutRatioAnnual: 'NxFPayoutRatioAnn',
} as const;

/** Forecasts for the half year (`…2ndQuarter`) and the fiscal year, this year's and next year's. */
export const finsSummaryForecastFields = {
  forecastNetSales2ndQuarter: 'FSales2Q',
  forecastOperatingProfit2ndQuarter: 'FOP2Q',
  forecastOrdinaryProfit2ndQuarter: 'FOdP2Q',
  forecastProfit2ndQuarter: 'FNP2Q',
  forecastEarningsPerShare2ndQuarter: 'FEPS2Q',
  forecastNetSales: 'FSales',
  forecastOperatingProfit: 'FOP',
  forecastOrdinaryProfit: 'FOdP',
  forecastProfit: 'FNP',
  forecastEarningsPerShare: 'FEPS',
  nextYearForecastNetSales2ndQuarter: 'NxFSales2Q',
  nextYearForecastOperatingProfit2ndQuarter: 'NxFOP2Q',
  nextYearForecastOrdinaryProfit2ndQuarter: 'NxFOdP2Q',
  // The lower-case `p` is J-Quants' own spelling (jquants-v2.md §5.5).
  nextYearForecastProfit2ndQuarter: 'NxFNp2Q',
  nextYearForecastEarningsPerShare2ndQuarter: 'NxFEPS2Q',
  nextYearForecastNetSales: 'NxFSales',
  nextYearForecastOperatingProfit: 'NxFOP',
  nextYearForecastOrdinaryProfit: 'NxFOdP',
  nextYearForecastProfit: 'NxFNp',
  nextYearForecastEarningsPerShare: 'NxFEPS',
} as const;

/** Accounting-change flags, `"true"`/`"false"`/`""` upstream, stored as boolean or null. */
export const finsSummaryFlagFields = {
  materialChangesInSubsidiaries: 'MatChgSub',
  significantChangesInScopeOfConsolidation: 'SigChgInC',
  changesByAccountingStandardRevision: 'ChgByASRev',
  changesNotByAccountingStandardRevision: 'ChgNoASRev',
  changesInAccountingEstimates: 'ChgAcEst',
  retrospectiveRestatement: 'RetroRst',
} as const;
