import type { MetricName } from '#shared/observability/metric-names.ts';
import type { MetricDimensions, MetricsSink } from '#shared/observability/metrics.ts';

/** A metrics sink that keeps every count and time, for tests that check what was emitted. */
export class RecordingMetrics implements MetricsSink {
  readonly counts: { name: MetricName; value: number; dimensions: MetricDimensions }[] = [];
  readonly times: { name: MetricName; milliseconds: number; dimensions: MetricDimensions }[] = [];

  count(name: MetricName, value: number, dimensions: MetricDimensions): void {
    if (value !== 0) this.counts.push({ name, value, dimensions });
  }

  time(name: MetricName, milliseconds: number, dimensions: MetricDimensions): void {
    this.times.push({ name, milliseconds, dimensions });
  }

  /** The sum of every count of `name`. */
  total(name: MetricName): number {
    return this.counts.filter((entry) => entry.name === name).reduce((sum, entry) => sum + entry.value, 0);
  }
}
