import type { HeldSlot } from '#shared/domain/rate-pacing.ts';
import type { Job } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import { metricNames } from '#shared/observability/metric-names.ts';
import { noMetrics } from '#shared/observability/metrics.ts';
import type { RateLimitDeferral } from '#shared/ports/rate-limiter.ts';
import { RateLimitedError } from '#shared/ports/upstream-errors.ts';
import { dimensionsOf, type JobAttempt, RetryLaterError } from '#shared/use-cases/job-attempt.ts';
import type { SettleDeps } from '#shared/use-cases/settle-attempt.ts';

/** SQS delays a message by at most 15 minutes; a longer wait is taken in several deferrals. */
const maxDelaySeconds = 900;
/** A message holding a slot comes back this long before it, to wait the rest in place. */
const earlyArrivalMs = 2_000;

/**
 * Defers the attempt's jobs without spending their attempts: a 429 pauses the whole data source first (every
 * worker then waits), and the message goes back to the queue delayed until the slot it holds or the pause's end.
 * It is sent anew rather than made invisible, so its receive count never grows toward the queue's redrive limit.
 */
export async function deferJobs(
  attempt: JobAttempt,
  error: RateLimitedError | RateLimitDeferral,
  deps: SettleDeps,
): Promise<void> {
  const { message } = attempt;
  const metrics = deps.metrics ?? noMetrics;
  const nowMs = deps.clock.now().getTime();
  let delaySeconds: number;
  let requestSlot: HeldSlot | undefined;
  if (error instanceof RateLimitedError) {
    const status = await deps.rateLimiter.pause(deps.dataSource.id, {
      retryAfterMs: error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000,
    });
    const waitMs = status.pausedUntil === undefined ? 60_000 : Date.parse(status.pausedUntil) - nowMs;
    delaySeconds = clampDelay(Math.ceil(waitMs / 1000));
    metrics.count(metricNames.upstreamThrottled, 1, dimensionsOf(message));
    metrics.count(metricNames.dataSourcePaused, 1, dimensionsOf(message));
    deps.log.warn('upstream rate limit hit: data source paused', {
      dataSource: deps.dataSource.id,
      runId: message.runId,
      pausedUntil: status.pausedUntil,
      consecutive429s: status.consecutive429s,
    });
  } else if (error.slot !== undefined) {
    requestSlot = error.slot;
    delaySeconds = clampDelay(Math.floor((Date.parse(error.slot.at) - nowMs - earlyArrivalMs) / 1000));
  } else {
    delaySeconds = clampDelay(Math.ceil(error.waitMs / 1000));
  }
  const at = new Date(nowMs).toISOString();
  const messageDueAt = new Date(nowMs + delaySeconds * 1000).toISOString();
  const change = await deps.runLedger.updateJobs(
    message.runId,
    attempt.jobs.map((job) => ({
      jobId: job.jobId,
      seen: job,
      event: { kind: 'defer' as const, at, holder: attempt.holder, messageDueAt, progressed: attempt.progressed },
    })),
  );
  attempt.record(change.jobs);
  const deferred = change.jobs.flatMap((result) => (result.applied ? [result.job] : []));
  metrics.count(metricNames.jobsDeferred, deferred.length, dimensionsOf(message));
  reportStalled(message, deferred, nowMs, deps);
  const { requestSlot: _previousSlot, requestSlotAt: _legacySlot, ...rest } = message;
  const next: JobMessage = requestSlot === undefined ? rest : { ...rest, requestSlot };
  const sent = await deps.requeue.send([next], { delaySeconds });
  if (sent.failed.length > 0) throw new RetryLaterError(Math.max(1, delaySeconds), { cause: error });
  deps.log.info('jobs deferred by the rate limit', {
    runId: message.runId,
    count: deferred.length,
    delaySeconds,
    requestSlotAt: requestSlot?.at,
  });
}

/** Jobs that have waited long without fetching anything: counted (the JobsStalled alarm) and named in the log. */
function reportStalled(message: JobMessage, jobs: readonly Job[], nowMs: number, deps: SettleDeps): void {
  const stalledAfterMs = deps.stalledAfterMs ?? 60 * 60_000;
  const stalled = jobs.filter(
    (job) => job.waitingSince !== undefined && nowMs - Date.parse(job.waitingSince) >= stalledAfterMs,
  );
  if (stalled.length === 0) return;
  (deps.metrics ?? noMetrics).count(metricNames.jobsStalled, stalled.length, dimensionsOf(message));
  for (const job of stalled) {
    deps.log.warn('job keeps waiting for the rate limit without progress', {
      runId: message.runId,
      jobId: job.jobId,
      waitingSince: job.waitingSince,
      deferrals: job.deferrals,
    });
  }
}

function clampDelay(seconds: number): number {
  return Math.min(maxDelaySeconds, Math.max(0, seconds));
}
