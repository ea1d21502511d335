import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricName, metricNames } from '#shared/observability/metric-names.ts';
import { PermanentUpstreamError, RateLimitedError, RetryableUpstreamError } from '#shared/ports/upstream-errors.ts';
import { countPass } from '#shared/use-cases/reconciler-counts.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { aDataPlane } from '#test/fixtures/data-plane-harness.ts';
import { type SynthesizedApp, synthesizeApp } from '#test/infra/synthesize-app.ts';

const tick = { groupId: 'daily-bars', scheduledTime: '2026-11-27T08:30:00Z' };

/** A data plane over one code's daily bar, its metrics recorded. */
async function aPlane(failWith?: () => Error) {
  const plane = aDataPlane();
  await plane.groupStore.create(
    aJobGroup({ maxAttempts: 2, parametersTemplate: { code: '72030', date: '{{businessDate}}' } }),
  );
  plane.dataSource.rowsFor = () => [aDailyBarRow('72030', '2026-11-27')];
  plane.dataSource.failWith = failWith;
  await plane.dispatch(tick);
  return plane;
}

/** The names a plane's sink recorded, counts and times. */
function namesOf(plane: Awaited<ReturnType<typeof aPlane>>): MetricName[] {
  return [...plane.metrics.counts.map((count) => count.name), ...plane.metrics.times.map((time) => time.name)];
}

/**
 * Drives every path that emits a metric with a recording sink: a run that succeeds, one whose job fails for good,
 * a retry, a 429, a job that stalls on the rate limit, and a reconciler pass (it publishes its counts every pass).
 */
async function emittedNames(): Promise<Set<MetricName>> {
  const emitted = new Set<MetricName>();
  const succeeded = await aPlane();
  await succeeded.work();
  const failed = await aPlane(
    () =>
      new PermanentUpstreamError('400 from /equities/bars/daily', { status: 400, endpoint: '/equities/bars/daily' }),
  );
  await failed.work();
  const retried = await aPlane(
    () =>
      new RetryableUpstreamError('503 from /equities/bars/daily', { status: 503, endpoint: '/equities/bars/daily' }),
  );
  await retried.work();
  const throttled = await aPlane(
    () => new RateLimitedError('429 from /equities/bars/daily', { status: 429, endpoint: '/equities/bars/daily' }),
  );
  await throttled.work();
  const stalled = await aPlane();
  stalled.rateLimiter.deferMs = 15 * 60_000;
  for (let round = 0; round < 6; round++) {
    await stalled.work();
    stalled.clock.advance(15 * 60_000);
  }
  for (const plane of [succeeded, failed, retried, throttled, stalled])
    for (const name of namesOf(plane)) emitted.add(name);
  const nothing = { missed: [], skipped: [], caughtUp: [] };
  const reconciled = { created: [], updated: [], deleted: [], resumed: [], failed: [], unreadable: [] };
  for (const [name] of countPass(
    reconciled,
    nothing,
    { resumed: [], timedOut: [], finished: [], deadLettered: 0, resent: 0 },
    { late: [], calendarCoverageShort: false },
  )) {
    emitted.add(name);
  }
  return emitted;
}

describe('every metric the dashboard or an alarm reads has an emitter', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = synthesizeApp({ bundle: false });
  });
  afterAll(() => synthesized.dispose());

  it('drives each emitting path and finds every dashboard and alarm metric among what they emitted', async () => {
    const template = JSON.stringify(synthesized.statelessTemplate.toJSON());
    const read = Object.values(metricNames).filter(
      (name) => template.includes(`(${name})`) || template.includes(`\\"${name}\\"`),
    );
    // The dashboard and alarms read every custom metric, so none is emitted for nobody.
    expect(read.sort()).toEqual(Object.values(metricNames).sort());
    const emitted = await emittedNames();
    expect(read.filter((name) => !emitted.has(name))).toEqual([]);
    expect([...emitted].sort()).toEqual(read.sort());
  });
});
