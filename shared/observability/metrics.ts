import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName } from '#shared/observability/metric-names.ts';

/**
 * The one metrics emitter (CloudWatch EMF). Dimensions are `dataSource`, `dataset` and `group` only — never a stock
 * code: each distinct dimension value is a separate, billed metric.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'moomoo-markets',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'moomoo-markets',
});

export { MetricUnit };

/** The dimensions every moomoo metric carries (never a stock code). */
export interface MetricDimensions {
  readonly dataSource: string;
  readonly dataset: string;
  readonly group: string;
}

/** What use cases need of metrics: a count of a named event, or a time spent, under the standard dimensions. */
export interface MetricsSink {
  count(name: MetricName, value: number, dimensions: MetricDimensions): void;
  /** A time spent, in milliseconds. */
  time(name: MetricName, milliseconds: number, dimensions: MetricDimensions): void;
}

/** Each count is published at once as its own EMF record with its own dimensions. */
export const emfMetrics: MetricsSink = {
  count: (name, value, dimensions) => {
    if (value !== 0) publish(name, MetricUnit.Count, value, dimensions);
  },
  time: (name, milliseconds, dimensions) => publish(name, MetricUnit.Milliseconds, milliseconds, dimensions),
};

function publish(
  name: MetricName,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
  dimensions: MetricDimensions,
): void {
  const single = metrics.singleMetric();
  single.addDimensions({ ...dimensions });
  single.addMetric(name, unit, value);
}

/** A sink that drops everything (tests, and callers that count nothing). */
export const noMetrics: MetricsSink = { count: () => {}, time: () => {} };
