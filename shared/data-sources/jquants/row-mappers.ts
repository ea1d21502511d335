import {
  compileRowMapper,
  type FieldKind,
  type RowMapper,
  type RowSpec,
} from '#shared/data-sources/jquants/row-mapper.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { jquantsEquitiesBarsDaily } from '#shared/datasets/jquants-equities-bars-daily.ts';
import {
  investorTypesNumberFields,
  jquantsEquitiesInvestorTypes,
} from '#shared/datasets/jquants-equities-investor-types.ts';
import { jquantsEquitiesMaster } from '#shared/datasets/jquants-equities-master.ts';
import { finsDividendNumberFields, jquantsFinsDividend } from '#shared/datasets/jquants-fins-dividend.ts';
import { jquantsFinsSummary } from '#shared/datasets/jquants-fins-summary.ts';
import {
  finsSummaryActualFields,
  finsSummaryDividendFields,
  finsSummaryFlagFields,
  finsSummaryForecastFields,
} from '#shared/datasets/jquants-fins-summary-fields.ts';
import { jquantsIndicesBarsDaily } from '#shared/datasets/jquants-indices-bars-daily.ts';
import { jquantsIndicesTopixDaily } from '#shared/datasets/jquants-indices-topix-daily.ts';
import { jquantsMarketsBreakdown, marketsBreakdownNumberFields } from '#shared/datasets/jquants-markets-breakdown.ts';
import { jquantsMarketsCalendar } from '#shared/datasets/jquants-markets-calendar.ts';
import { jquantsMarketsMarginInterest } from '#shared/datasets/jquants-markets-margin-interest.ts';
import { jquantsMarketsShortRatio } from '#shared/datasets/jquants-markets-short-ratio.ts';
import { PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';

/** The same kind for every row field of a row-field → upstream-field map. */
function allOf(fields: Readonly<Record<string, string>>, kind: FieldKind): Record<string, FieldKind> {
  return Object.fromEntries(Object.keys(fields).map((field) => [field, kind]));
}

const ohlc = { open: 'number', high: 'number', low: 'number', close: 'number' } as const;

/** How each J-Quants dataset's rows are read (jquants-v2.md §5); upstream names come from the dataset. */
const rowSpecs: readonly (readonly [DatasetDefinition, RowSpec])[] = [
  [
    jquantsEquitiesMaster,
    {
      fields: {
        date: 'id',
        code: 'code',
        companyName: 'text',
        companyNameEnglish: 'text',
        sector17Code: 'text',
        sector17Name: 'text',
        sector33Code: 'text',
        sector33Name: 'text',
        scaleCategory: 'text',
        marketCode: 'text',
        marketName: 'text',
        marginCode: 'textOrNull',
        marginName: 'textOrNull',
        productCategory: 'textOrNull',
      },
      // Mrgn/MrgnNm may be Standard+ only, ProdCat arrived on 2026-05-26 (jquants-v2.md §5.1).
      optional: ['marginCode', 'marginName', 'productCategory'],
    },
  ],
  [
    jquantsEquitiesBarsDaily,
    {
      fields: {
        code: 'code',
        date: 'id',
        ...ohlc,
        upperLimit: 'textOrNull',
        lowerLimit: 'textOrNull',
        volume: 'number',
        turnoverValue: 'number',
        adjustmentFactor: 'number',
        adjustedOpen: 'number',
        adjustedHigh: 'number',
        adjustedLow: 'number',
        adjustedClose: 'number',
        adjustedVolume: 'number',
        marketCap: 'number',
        exRightsType: 'textOrNull',
      },
      // Added 2026-08-10 and not confirmed on every plan (jquants-v2.md §5.2).
      optional: ['marketCap', 'exRightsType'],
    },
  ],
  [jquantsMarketsCalendar, { fields: { date: 'id', holidayDivision: 'id' } }],
  [
    jquantsFinsSummary,
    {
      fields: {
        discNo: 'id',
        discDate: 'id',
        discTime: 'textOrNull',
        code: 'code',
        documentType: 'text',
        currentPeriodType: 'textOrNull',
        currentPeriodStart: 'textOrNull',
        currentPeriodEnd: 'textOrNull',
        currentFiscalYearStart: 'textOrNull',
        currentFiscalYearEnd: 'textOrNull',
        nextFiscalYearStart: 'textOrNull',
        nextFiscalYearEnd: 'textOrNull',
        ...allOf(finsSummaryActualFields, 'number'),
        ...allOf(finsSummaryDividendFields, 'number'),
        ...allOf(finsSummaryForecastFields, 'number'),
        shareholdersEquity: 'number',
        returnOnEquity: 'number',
        ...allOf(finsSummaryFlagFields, 'boolean'),
      },
      // ShEq/ROE were announced for 2026-08-03 and are unverified (jquants-v2.md §5.5).
      optional: ['shareholdersEquity', 'returnOnEquity'],
    },
  ],
  [jquantsIndicesBarsDaily, { fields: { code: 'code', date: 'id', ...ohlc } }],
  [jquantsIndicesTopixDaily, { fields: { date: 'id', ...ohlc } }],
  [
    jquantsEquitiesInvestorTypes,
    {
      fields: {
        publishedDate: 'id',
        startDate: 'id',
        endDate: 'id',
        section: 'id',
        ...allOf(investorTypesNumberFields, 'number'),
      },
    },
  ],
  [
    jquantsMarketsMarginInterest,
    {
      fields: {
        code: 'code',
        date: 'id',
        shortMarginOutstanding: 'number',
        longMarginOutstanding: 'number',
        shortNegotiableOutstanding: 'number',
        longNegotiableOutstanding: 'number',
        shortStandardizedOutstanding: 'number',
        longStandardizedOutstanding: 'number',
        issueType: 'textOrNull',
      },
    },
  ],
  [
    jquantsMarketsShortRatio,
    {
      fields: {
        date: 'id',
        sector33Code: 'sector33Code',
        sellingExcludingShortValue: 'number',
        shortSellingWithRestrictionsValue: 'number',
        shortSellingWithoutRestrictionsValue: 'number',
      },
    },
  ],
  [
    jquantsFinsDividend,
    {
      fields: {
        referenceNumber: 'id',
        publishedDate: 'id',
        publishedTime: 'textOrNull',
        code: 'code',
        statusCode: 'id',
        correctedReferenceNumber: 'textOrNull',
        boardMeetingDate: 'textOrNull',
        interimFinalCode: 'textOrNull',
        forecastResultCode: 'textOrNull',
        interimFinalTerm: 'textOrNull',
        recordDate: 'textOrNull',
        exDate: 'textOrNull',
        actualRecordDate: 'textOrNull',
        payableDate: 'textOrNull',
        commemorativeSpecialCode: 'textOrNull',
        ...allOf(finsDividendNumberFields, 'number'),
      },
    },
  ],
  [jquantsMarketsBreakdown, { fields: { code: 'code', date: 'id', ...allOf(marketsBreakdownNumberFields, 'number') } }],
];

const mappers: ReadonlyMap<string, RowMapper> = new Map(
  rowSpecs.map(([dataset, spec]) => [dataset.id, compileRowMapper(dataset, spec)]),
);

/** The ids of the datasets whose rows this module can read. */
export const mappedJquantsDatasetIds: readonly string[] = [...mappers.keys()];

/** The row mapper of a J-Quants dataset; throws PermanentUpstreamError for a dataset it does not know. */
export function jquantsRowMapper(dataset: DatasetDefinition): RowMapper {
  const mapper = mappers.get(dataset.id);
  if (mapper === undefined) {
    throw new PermanentUpstreamError(`no J-Quants row mapper for dataset ${dataset.id}`, {
      endpoint: dataset.endpoint,
    });
  }
  return mapper;
}
