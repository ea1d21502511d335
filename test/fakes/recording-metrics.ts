import type { MetricName } from '#shared/observability/metric-names.ts';
import type { MetricDimensions, MetricsSink } from '#shared/observability/metrics.ts';

/** A metrics sink that keeps every count, for tests that check what was emitted. */
export class RecordingMetrics implements MetricsSink {
  readonly counts: { name: MetricName; value: number; dimensions: MetricDimensions }[] = [];

  count(name: MetricName, value: number, dimensions: MetricDimensions): void {
    if (value !== 0) this.counts.push({ name, value, dimensions });
  }

  /** The sum of every count of `name`. */
  total(name: MetricName): number {
    return this.counts.filter((entry) => entry.name === name).reduce((sum, entry) => sum + entry.value, 0);
  }
}
