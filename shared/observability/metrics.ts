import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * The one metrics emitter (CloudWatch EMF). Dimensions are `dataSource`, `dataset` and `group` only — never a stock
 * code: each distinct dimension value is a separate, billed metric.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'moomoo-markets',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'moomoo-markets',
});

export { MetricUnit };
