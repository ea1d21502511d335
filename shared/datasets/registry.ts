import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { jquantsEquitiesBarsDaily } from '#shared/datasets/jquants-equities-bars-daily.ts';
import { jquantsEquitiesInvestorTypes } from '#shared/datasets/jquants-equities-investor-types.ts';
import { jquantsEquitiesMaster } from '#shared/datasets/jquants-equities-master.ts';
import { jquantsFinsDividend } from '#shared/datasets/jquants-fins-dividend.ts';
import { jquantsFinsSummary } from '#shared/datasets/jquants-fins-summary.ts';
import { jquantsIndicesBarsDaily } from '#shared/datasets/jquants-indices-bars-daily.ts';
import { jquantsIndicesTopixDaily } from '#shared/datasets/jquants-indices-topix-daily.ts';
import { jquantsMarketsBreakdown } from '#shared/datasets/jquants-markets-breakdown.ts';
import { jquantsMarketsCalendar } from '#shared/datasets/jquants-markets-calendar.ts';
import { jquantsMarketsMarginInterest } from '#shared/datasets/jquants-markets-margin-interest.ts';
import { jquantsMarketsShortRatio } from '#shared/datasets/jquants-markets-short-ratio.ts';
import { yahooChartDaily } from '#shared/datasets/yahoo-chart-daily.ts';
import { ValidationError } from '#shared/domain/errors.ts';

/** Every dataset the system can fetch (design §1), in the order the admin API lists them. */
export const datasets: readonly DatasetDefinition[] = [
  jquantsEquitiesMaster,
  jquantsEquitiesBarsDaily,
  jquantsMarketsCalendar,
  jquantsFinsSummary,
  jquantsIndicesBarsDaily,
  jquantsIndicesTopixDaily,
  jquantsEquitiesInvestorTypes,
  jquantsMarketsMarginInterest,
  jquantsMarketsShortRatio,
  jquantsFinsDividend,
  jquantsMarketsBreakdown,
  yahooChartDaily,
];

const datasetsById = new Map(datasets.map((dataset) => [dataset.id, dataset]));

/** The ids of every dataset, e.g. for an enum in the admin API's schema. */
export const datasetIds: readonly string[] = datasets.map((dataset) => dataset.id);

/** The dataset with `id`, or undefined. */
export function getDataset(id: string): DatasetDefinition | undefined {
  return datasetsById.get(id);
}

/** The dataset with `id`; throws a ValidationError on path `dataset` listing the known ids. */
export function requireDataset(id: string): DatasetDefinition {
  const dataset = getDataset(id);
  if (dataset === undefined) {
    throw ValidationError.of('dataset', `unknown dataset '${id}'; known datasets: ${datasetIds.join(', ')}`);
  }
  return dataset;
}
