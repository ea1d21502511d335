import { requireDataset } from '#shared/datasets/registry.ts';
import {
  type Backfill,
  type BackfillEvent,
  type BackfillFailure,
  backfillRunId,
  calendarRunId,
  finishedBackfillStatuses,
  rangesRunId,
} from '#shared/domain/backfill.ts';
import { planBackfillRequests } from '#shared/domain/backfill-planning.ts';
import { rangeOutcomeOn, settledJobs } from '#shared/domain/backfill-ranges.ts';
import { defaultSettings, effectiveRateLimit } from '#shared/domain/data-source-settings.ts';
import { runJobsOf } from '#shared/domain/date-jobs.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { jobIdOf } from '#shared/domain/job-id.ts';
import { grantIntervalMs } from '#shared/domain/rate-pacing.ts';
import { codeOnDate, rowCodeOf } from '#shared/domain/request-planning.ts';
import { type Job, newRun, queuedJob, type Run } from '#shared/domain/run.ts';
import { minimumRunDeadlineMs } from '#shared/domain/run-deadline.ts';
import type { BackfillStore } from '#shared/ports/backfill-store.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';
import { allJobs } from '#shared/use-cases/all-jobs.ts';
import { checkDependents, dependentOfBackfill } from '#shared/use-cases/check-dependents.ts';
import { dispatchRun } from '#shared/use-cases/dispatch-run.ts';
import { type ExpandedJob, expandJobs } from '#shared/use-cases/expand-jobs.ts';
import { type DispatchDeps, launchRun } from '#shared/use-cases/launch-run.ts';
import { runFinished } from '#shared/use-cases/run-finished.ts';

/** What a run this step finishes asks for next: nothing, as the step goes on to it by itself. */
const noNextStep: StepRequests = { backfill: async () => {}, dependents: async () => {} };

export interface AdvanceBackfillDeps extends DispatchDeps {
  readonly backfillStore: BackfillStore;
  readonly steps: StepRequests;
}

/** Dates of a `ranges` backfill whose runs one step records: a step stays well within its function's time. */
const datesSettledPerStep = 40;
/** Most dates of a `dates` backfill in flight at once, however fast the plan. */
const maxDatesInFlight = 50;

/**
 * One step of a backfill (design §5): it takes the backfill as far as it can now and returns. Steps come from the
 * admin API when it starts one, from each of its runs as it finishes, and from the reconciler for every open one;
 * they run one at a time, and each reads where the backfill stands first, so a repeated or late step does nothing
 * twice and a crash anywhere is made good by the next.
 * - Planning: the business dates of the range from the stored JPX calendar (a run fetches it first when it is
 *   missing), less those that already have a succeeded run (unless `force`); then the fewer requests of one
 *   date-wide request per date and one range request per code (`planBackfillRequests`).
 * - `dates`: the finished runs of the dates in flight are counted in, and the next dates dispatched, as many as the
 *   plan's rate keeps busy; a paused group's backfill waits.
 * - `ranges`: its range requests are one run; once it has finished, each date's run is recorded with its jobs
 *   settled by their outcomes, a few dozen dates per step.
 */
export async function advanceBackfill(backfillId: string, deps: AdvanceBackfillDeps): Promise<Backfill | undefined> {
  let backfill = await deps.backfillStore.get(backfillId);
  if (backfill === undefined || finishedBackfillStatuses.has(backfill.status)) return backfill;
  const group = await deps.groupStore.get(backfill.groupId);
  if (group === undefined)
    return record(backfill, { kind: 'fail', at: now(deps), reason: 'its group was deleted' }, deps);
  if (backfill.status === 'planning') {
    backfill = await planBackfill(backfill, group, deps);
    if (backfill.status !== 'running') return backfill;
  }
  backfill =
    backfill.plan?.mode === 'ranges'
      ? await advanceRanges(backfill, group, deps)
      : await advanceDates(backfill, group, deps);
  if (backfill.status !== 'running') return backfill;
  backfill = await countDependents(backfill, deps);
  return record(backfill, { kind: 'settle', at: now(deps) }, deps);
}

async function planBackfill(backfill: Backfill, group: JobGroup, deps: AdvanceBackfillDeps): Promise<Backfill> {
  const days = await businessDaysOf(backfill, group, deps);
  if (days === 'waiting') return (await deps.backfillStore.get(backfill.backfillId)) ?? backfill;
  if ('failed' in days) return record(backfill, { kind: 'fail', at: now(deps), reason: days.failed }, deps);
  const succeeded = backfill.force ? new Set<string>() : await succeededDates(backfill, deps);
  const dates = days.dates.filter((date) => !succeeded.has(date));
  const skipped = days.dates.length - dates.length;
  const dataset = requireDataset(backfill.dataset);
  let shape: { jobs: number; codes: string[] | undefined };
  try {
    shape = await shapeOf(group, dates, deps);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return record(
      backfill,
      { kind: 'fail', at: now(deps), reason: `the template did not expand: ${error.message}` },
      deps,
    );
  }
  const sample = shape.codes?.[0];
  const codeRanges =
    sample !== undefined &&
    dates.length > 0 &&
    dataset.paramsSchema.safeParse({ code: sample, from: dates[0], to: dates.at(-1) }).success;
  const { mode, requests } = planBackfillRequests(
    dates.length,
    { jobs: shape.jobs, codes: shape.codes?.length },
    { dateWide: dataset.dateWide, codeRanges },
  );
  deps.log.info('backfill planned', { backfillId: backfill.backfillId, mode, count: dates.length, skipped, requests });
  const plan = { mode, dates, skipped, plannedRequests: requests };
  return record(backfill, { kind: 'planned', at: now(deps), plan }, deps);
}

/**
 * The business days of the range from the stored calendar. When it does not cover them, a run of the backfill
 * fetches `jquants.markets.calendar` for the range first (`waiting` until it has finished).
 */
async function businessDaysOf(
  backfill: Backfill,
  group: JobGroup,
  deps: AdvanceBackfillDeps,
): Promise<{ dates: string[] } | { failed: string } | 'waiting'> {
  const runId = calendarRunId(backfill.backfillId);
  const stored = await deps.tradingCalendar.businessDays(backfill.from, backfill.to);
  if (stored !== undefined) {
    if (backfill.calendarRunId !== undefined) await countRequests(backfill, runId, deps);
    return { dates: stored };
  }
  const range = `${backfill.from}…${backfill.to}`;
  if (backfill.calendarRunId === undefined) {
    const params = { from: backfill.from, to: backfill.to };
    const at = now(deps);
    const run = runOf(backfill, { runId, dataSource: 'jquants', dataset: 'jquants.markets.calendar' }, backfill.to, at);
    const job = queuedJob({ runId, jobId: jobIdOf(params), params, maxAttempts: group.maxAttempts, at });
    await launchRun(run, [job], deps);
    await record(backfill, { kind: 'calendar-requested', at, runId }, deps);
    deps.log.info('backfill fetches the JPX calendar first', {
      backfillId: backfill.backfillId,
      from: backfill.from,
      to: backfill.to,
    });
    return 'waiting';
  }
  const run = await countRequests(backfill, runId, deps);
  if (run === undefined) return 'waiting';
  if (run.status !== 'succeeded') {
    const why = (await failureOf(run, backfill.to, deps)).error.message;
    return { failed: `the JPX calendar for ${range} could not be fetched: ${why}` };
  }
  const fetched = await deps.tradingCalendar.businessDays(backfill.from, backfill.to);
  return fetched === undefined ? { failed: `the JPX calendar does not cover ${range}` } : { dates: fetched };
}

/** Counts the upstream requests of a finished run on the backfill's behalf, once; returns it when finished. */
async function countRequests(backfill: Backfill, runId: string, deps: AdvanceBackfillDeps): Promise<Run | undefined> {
  const run = await deps.runLedger.getRun(runId);
  if (run === undefined || run.finishedAt === undefined) return undefined;
  await record(backfill, { kind: 'requests-made', at: now(deps), runId, count: run.upstreamRequests }, deps);
  return run;
}

/**
 * Dates of the range that already have a succeeded run of the group, whatever started it (a backfill's calendar and
 * range requests are runs of the group too, but of no date of their own).
 */
async function succeededDates(backfill: Backfill, deps: AdvanceBackfillDeps): Promise<Set<string>> {
  const runs = await deps.runLedger.listRunsOfDates(backfill.groupId, { from: backfill.from, to: backfill.to });
  return new Set(
    runs
      .filter((run) => run.backfillId === undefined || run.runId === backfillRunId(run.backfillId, run.businessDate))
      .filter((run) => run.status === 'succeeded')
      .map((run) => run.businessDate),
  );
}

/**
 * What one date asks for: its jobs, and its codes when every job is `{code, date}` and the first and last dates ask
 * for the same codes (then a range request per code can stand for every date).
 */
async function shapeOf(
  group: JobGroup,
  dates: readonly string[],
  deps: AdvanceBackfillDeps,
): Promise<{ jobs: number; codes: string[] | undefined }> {
  const first = dates[0];
  const last = dates.at(-1);
  if (first === undefined || last === undefined) return { jobs: 0, codes: undefined };
  const firstJobs = await expandFor(group, first, deps);
  const firstCodes = codesOf(firstJobs, first);
  const lastCodes = first === last ? firstCodes : codesOf(await expandFor(group, last, deps), last);
  const same = firstCodes !== undefined && firstCodes.join() === lastCodes?.join();
  return { jobs: firstJobs.length, codes: same ? firstCodes : undefined };
}

function codesOf(jobs: readonly ExpandedJob[], date: string): string[] | undefined {
  if (!jobs.every((job) => codeOnDate(job.params) === date)) return undefined;
  return jobs.map((job) => String(job.params.code)).sort();
}

function expandFor(group: JobGroup, date: string, deps: AdvanceBackfillDeps): Promise<ExpandedJob[]> {
  return expandJobs(
    {
      template: group.parametersTemplate,
      dataset: requireDataset(group.dataset),
      scheduledTime: `${date}T00:00:00.000Z`,
      timezone: group.timezone,
      businessDate: date,
    },
    deps,
  );
}

/** `dates`: counts the finished runs in flight, then starts the next dates up to the plan's window. */
async function advanceDates(backfill: Backfill, group: JobGroup, deps: AdvanceBackfillDeps): Promise<Backfill> {
  let current = backfill;
  for (const date of backfill.inFlight) {
    const run = await deps.runLedger.getRun(backfillRunId(backfill.backfillId, date));
    if (run === undefined || run.finishedAt === undefined) continue;
    current = await countDate(current, run, deps);
  }
  const plan = current.plan;
  if (plan === undefined || current.status !== 'running' || group.pause !== null) return current;
  const room = (await datesInFlight(current, deps)) - current.inFlight.length;
  const next = plan.dates.slice(current.started, current.started + Math.max(0, room));
  if (next.length === 0) return current;
  for (const date of next) {
    await dispatchRun(
      {
        groupId: group.id,
        scheduledTime: current.createdAt,
        trigger: 'backfill',
        businessDate: date,
        backfillId: current.backfillId,
      },
      deps,
    );
  }
  return record(current, { kind: 'dates-started', at: now(deps), dates: next }, deps);
}

/** Dates in flight at once: enough for about a minute of the plan's requests, a handful on the Free plan. */
async function datesInFlight(backfill: Backfill, deps: AdvanceBackfillDeps): Promise<number> {
  const settings =
    (await deps.settingsStore.get(backfill.dataSource)) ?? defaultSettings(backfill.dataSource, now(deps));
  const perMinute = Math.floor(60_000 / grantIntervalMs(effectiveRateLimit(settings)));
  const requestsPerDate = Math.max(
    1,
    Math.round((backfill.plan?.plannedRequests ?? 0) / Math.max(1, backfill.plan?.dates.length ?? 1)),
  );
  return Math.min(maxDatesInFlight, Math.max(2, Math.ceil(perMinute / requestsPerDate)));
}

/**
 * `ranges`: starts the run of the range requests; once it has finished, records the dates' runs settled by them,
 * oldest first, a few dozen per step (the next step goes on).
 */
async function advanceRanges(backfill: Backfill, group: JobGroup, deps: AdvanceBackfillDeps): Promise<Backfill> {
  const plan = backfill.plan;
  const first = plan?.dates[0];
  const last = plan?.dates.at(-1);
  if (plan === undefined || first === undefined || last === undefined) return backfill;
  const runId = rangesRunId(backfill.backfillId);
  if (backfill.rangesRunId === undefined) {
    const codes = (await shapeOf(group, plan.dates, deps)).codes ?? [];
    const at = now(deps);
    const jobs = codes.map((code) => {
      const params = { code, from: first, to: last };
      return queuedJob({ runId, jobId: jobIdOf(params), params, maxAttempts: group.maxAttempts, at });
    });
    const run = runOf(backfill, { runId, ...group }, last, at);
    await launchRun(run, jobs, deps);
    return record(backfill, { kind: 'ranges-started', at, runId }, deps);
  }
  const ranges = await deps.runLedger.getRun(runId);
  if (ranges === undefined || ranges.finishedAt === undefined) return backfill;
  let current = await record(
    backfill,
    { kind: 'requests-made', at: now(deps), runId, count: ranges.upstreamRequests },
    deps,
  );
  const requests = new Map(
    (await allJobs(deps.runLedger, runId)).map((job) => [rowCodeOf(String(job.params.code)), job]),
  );
  const counted = current.progress.done + current.progress.failed;
  for (const date of plan.dates.slice(counted, counted + datesSettledPerStep)) {
    const run = await recordSettledDate(current, group, date, requests, deps);
    current = await countDate(current, run, deps);
  }
  if (current.status === 'running') await deps.steps.backfill(current.backfillId);
  return current;
}

/** A date's run, recorded finished with its jobs settled by the range requests (once: a recorded run is kept). */
async function recordSettledDate(
  backfill: Backfill,
  group: JobGroup,
  date: string,
  requests: ReadonlyMap<string, Job>,
  deps: AdvanceBackfillDeps,
): Promise<Run> {
  const runId = backfillRunId(backfill.backfillId, date);
  const existing = await deps.runLedger.getRun(runId);
  if (existing?.finishedAt !== undefined) return existing;
  const at = now(deps);
  const run = existing ?? runOf(backfill, { runId, ...group }, date, at);
  const planned = runJobsOf(requireDataset(group.dataset), await expandFor(group, date, deps), {
    runId,
    maxAttempts: group.maxAttempts,
    at,
  });
  const settled = settledJobs(
    planned,
    (code) => {
      const request = requests.get(code);
      return request === undefined ? undefined : rangeOutcomeOn(request, date);
    },
    at,
  );
  await deps.runLedger.claimRun(run);
  await deps.runLedger.addJobs(runId, settled.jobs, settled.members);
  await deps.runLedger.updateRun(runId, { kind: 'planned', total: settled.total, at });
  const deadlineAt = new Date(Date.parse(at) + minimumRunDeadlineMs).toISOString();
  const enqueued = await deps.runLedger.updateRun(runId, { kind: 'enqueued', at, deadlineAt });
  // Its jobs are stored finished but not counted on the run: a recount finishes it, if enqueueing did not.
  const change = enqueued.finished === undefined ? await deps.runLedger.recountRun(runId, at) : enqueued;
  // Reported without asking for another step: this step goes on by itself.
  if (change.finished !== undefined)
    await runFinished(change.finished, {
      log: deps.log,
      steps: noNextStep,
      ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }),
    });
  return change.finished ?? change.run;
}

/** A new run of the backfill, for `businessDate`, fetching `dataset` from `dataSource`. */
function runOf(
  backfill: Backfill,
  fields: Pick<Run, 'runId' | 'dataSource' | 'dataset'>,
  businessDate: string,
  at: string,
): Run {
  const { runId, dataSource, dataset } = fields;
  return newRun({
    runId,
    backfillId: backfill.backfillId,
    groupId: backfill.groupId,
    dataSource,
    dataset,
    trigger: 'backfill',
    scheduledTime: backfill.createdAt,
    businessDate,
    status: 'dispatching',
    at,
  });
}

/** Counts a date's finished run in, with its first failure when it did not succeed. */
async function countDate(backfill: Backfill, run: Run, deps: AdvanceBackfillDeps): Promise<Backfill> {
  const failure = run.status === 'succeeded' ? undefined : await failureOf(run, run.businessDate, deps);
  const event = { kind: 'date-finished' as const, at: now(deps), run, ...(failure === undefined ? {} : { failure }) };
  // Its dependents are started (idempotently) before the date is counted, so that a step interrupted in between
  // starts them again when it counts the date again.
  const started = await startDependents(backfill, run, deps);
  const change = await deps.backfillStore.update(backfill.backfillId, event);
  return change.refused === undefined ? change.backfill : started;
}

/**
 * Starts the runs of the groups that depend on the backfilled group (and on them, in turn) for a finished run's
 * date, in the backfill: they run in its lane and count in its progress.
 */
async function startDependents(backfill: Backfill, run: Run, deps: AdvanceBackfillDeps): Promise<Backfill> {
  const judged = await checkDependents({ ...run, backfillId: backfill.backfillId }, deps);
  // A disabled or paused dependent has no run to wait for.
  const started = judged.filter(({ outcome }) => outcome !== 'inactive');
  if (started.length === 0) return backfill;
  const runIds = started.map(({ groupId }) => dependentOfBackfill(backfill.backfillId, groupId, run.businessDate));
  return record(backfill, { kind: 'dependents-started', at: now(deps), runIds }, deps);
}

/** Counts in the dependent runs that have finished, and starts their own dependents. */
async function countDependents(backfill: Backfill, deps: AdvanceBackfillDeps): Promise<Backfill> {
  let current = backfill;
  for (const runId of backfill.dependents) {
    const run = await deps.runLedger.getRun(runId);
    if (run === undefined || run.finishedAt === undefined) continue;
    const failure = run.status === 'succeeded' ? undefined : await failureOf(run, run.businessDate, deps);
    const event = {
      kind: 'dependent-finished' as const,
      at: now(deps),
      run,
      ...(failure === undefined ? {} : { failure }),
    };
    // Its own dependents first, as for a date (`countDate`).
    const started = await startDependents(current, run, deps);
    const change = await deps.backfillStore.update(current.backfillId, event);
    current = change.refused === undefined ? change.backfill : started;
  }
  return current;
}

/** Why a run did not succeed: its first failed job's error, or the run's own reason. */
async function failureOf(run: Run, date: string, deps: AdvanceBackfillDeps): Promise<BackfillFailure> {
  const [job] = (await deps.runLedger.listJobs(run.runId, { status: 'failed', limit: 1 })).items;
  if (job?.lastError !== undefined) return { date, runId: run.runId, jobId: job.jobId, error: job.lastError };
  return { date, runId: run.runId, error: { code: 'run_failed', message: run.reason ?? `the run ${run.status}` } };
}

async function record(backfill: Backfill, event: BackfillEvent, deps: AdvanceBackfillDeps): Promise<Backfill> {
  const change = await deps.backfillStore.update(backfill.backfillId, event);
  if (change.backfill.finishedAt !== undefined && backfill.finishedAt === undefined) {
    deps.log.info('backfill finished', {
      backfillId: backfill.backfillId,
      status: change.backfill.status,
      reason: change.backfill.reason,
      ...change.backfill.progress,
    });
  }
  return change.backfill;
}

function now(deps: AdvanceBackfillDeps): string {
  return deps.clock.now().toISOString();
}
