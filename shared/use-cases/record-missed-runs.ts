import { forEachConcurrently } from '#shared/concurrency.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { fireTimesBetween, parseCron } from '#shared/domain/cron.ts';
import { durationMs } from '#shared/domain/iso-duration.ts';
import { type JobGroup, marketCalendarOf, maxCatchUpWindowMs } from '#shared/domain/job-group.ts';
import { newRun, scheduledRunId } from '#shared/domain/run.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';
import { type DispatchOutcome, type DispatchRequest, marketHoliday } from '#shared/use-cases/dispatch-run.ts';
import { runSettled } from '#shared/use-cases/run-finished.ts';

/** A fire time is judged missed once it is this long past with no run (Scheduler retries deliver within minutes). */
export const missedRunGraceMs = 15 * 60_000;
/** The window of a group whose `catchUpWindow` cannot be read (the schema's default). */
const defaultCatchUpWindowMs = 86_400_000;
/** How many groups are judged at once. */
const groupsAtOnce = 8;
/** The most runs read in one page; a page asks for the fire times still unaccounted for and a few more. */
const runsPageLimit = 1000;
const runsPageSlack = 20;

/** What the watchdog did, by run id. */
export interface MissedRunsReport {
  /** Recorded `missed` (catch-up `none`, or the older fire times under `latest`). */
  readonly missed: string[];
  /** Recorded `skipped`: the group was paused, or a catch-up met a run still going under overlap `skip`. */
  readonly skipped: string[];
  /** Dispatched late under the group's catch-up policy. */
  readonly caughtUp: string[];
}

/** Dispatches one tick exactly as the dispatcher does (claim, expand, enqueue); a claimed run is resumed. */
export type DispatchTick = (request: DispatchRequest) => Promise<DispatchOutcome>;

/**
 * The watchdog: makes "what should have run" answerable, and runs what should still run. For every enabled group with
 * a schedule, each fire time within its `catchUpWindow` that passed more than `missedRunGraceMs` ago without a run is
 * handled by the group's `catchUp` policy: `none` records it `missed`; `latest` dispatches the most recent one and
 * records the older ones `missed`; `all` dispatches each (beside one another: overlap applies to live ticks, and the
 * rate limiter paces them all). While the group is paused they are recorded `skipped` with the pause's reason,
 * whatever the policy. (Runs that began and did not finish are `superviseRuns`'s.)
 *
 * Only fire times after the group's last change are judged, so a new cron or a resume is never blamed for ticks it
 * could not have had. Records and dispatches claim the tick's own run id: a late tick that arrives afterwards finds
 * its run taken and does nothing, and two watchdogs never act twice. A group is judged in one pass over its fire
 * times and its runs of the window (read a page at a time, newest first), a few groups at once.
 */
export async function recordMissedRuns(deps: {
  groupStore: JobGroupStore;
  runLedger: RunLedger;
  dispatch: DispatchTick;
  /** Tells a fire time on a JPX non-trading day, recorded `skipped` (`market-holiday`) rather than `missed`. */
  tradingCalendar: TradingCalendar;
  /** Where a recorded run asks for its dependents to be judged (`runSettled`). */
  steps: StepRequests;
  clock: Clock;
  log: Log;
}): Promise<MissedRunsReport> {
  const nowMs = deps.clock.now().getTime();
  // Unreadable groups are the reconciler's to report; the watchdog judges the others.
  const groups = (await deps.groupStore.list()).groups.filter((group) => group.enabled && group.schedule !== null);
  const reports: MissedRunsReport[] = groups.map(() => ({ missed: [], skipped: [], caughtUp: [] }));
  await forEachConcurrently(groups, groupsAtOnce, async (group, index) => {
    try {
      await watchGroup(group, nowMs, deps, reports[index] as MissedRunsReport);
    } catch (error) {
      deps.log.error('missed-run check failed', { groupId: group.id, error });
    }
  });
  return {
    missed: reports.flatMap((report) => report.missed),
    skipped: reports.flatMap((report) => report.skipped),
    caughtUp: reports.flatMap((report) => report.caughtUp),
  };
}

async function watchGroup(
  group: JobGroup,
  nowMs: number,
  deps: {
    runLedger: RunLedger;
    dispatch: DispatchTick;
    tradingCalendar: TradingCalendar;
    steps: StepRequests;
    log: Log;
  },
  report: MissedRunsReport,
): Promise<void> {
  // A group without a schedule has no fire times to miss.
  if (group.schedule === null) return;
  const fromMs = Math.max(nowMs - catchUpWindowMs(group), Date.parse(group.updatedAt));
  const untilMs = nowMs - missedRunGraceMs;
  if (untilMs <= fromMs) return;
  const expected = fireTimesBetween(parseCron(group.schedule), group.timezone, {
    after: new Date(fromMs),
    until: new Date(untilMs),
  });
  if (expected.length === 0) return;
  const runIds = expected.map((instant) => scheduledRunId(group.id, instant.toISOString()));
  const found = await runsAmong(group.id, new Set(runIds), fromMs, deps.runLedger);
  const unrun = expected.filter((_, index) => !found.has(runIds[index] as string));
  if (unrun.length === 0) return;
  const holidays = await holidaysAmong(group, unrun, deps.tradingCalendar);
  const record = (instant: Date, status: 'missed' | 'skipped'): Promise<void> => {
    const holiday = holidays.has(businessDateOf(instant, group.timezone));
    return recordUnrun(group, instant, nowMs, holiday ? 'holiday' : status, deps, report);
  };
  if (group.pause !== null) {
    for (const instant of unrun) await record(instant, 'skipped');
    return;
  }
  // `latest` runs the most recent fire time that can run: one on a holiday would be skipped, running nothing.
  const runnable = unrun.filter((instant) => !holidays.has(businessDateOf(instant, group.timezone)));
  const toDispatch = new Set(group.catchUp === 'all' ? unrun : group.catchUp === 'latest' ? runnable.slice(-1) : []);
  for (const instant of unrun) {
    // The dispatcher skips a holiday's tick itself.
    if (toDispatch.has(instant)) await dispatchLate(group, instant.toISOString(), deps, report);
    else await record(instant, 'missed');
  }
}

/** How far back the group's fire times are judged: its `catchUpWindow` (validated up to P7D, and held to it). */
function catchUpWindowMs(group: JobGroup): number {
  return Math.min(durationMs(group.catchUpWindow) ?? defaultCatchUpWindowMs, maxCatchUpWindowMs);
}

/**
 * The business dates of `instants` that the stored JPX calendar marks as non-trading days, for a group that follows
 * it: read once over their whole span. None when the calendar does not cover the span (the ticks are then judged as
 * any other).
 */
async function holidaysAmong(
  group: JobGroup,
  instants: readonly Date[],
  tradingCalendar: TradingCalendar,
): Promise<Set<string>> {
  if (marketCalendarOf(group) !== 'jpx') return new Set();
  const dates = [...new Set(instants.map((instant) => businessDateOf(instant, group.timezone)))].sort();
  const open = await tradingCalendar.businessDays(dates[0] as string, dates.at(-1) as string);
  if (open === undefined) return new Set();
  const trading = new Set(open);
  return new Set(dates.filter((date) => !trading.has(date)));
}

/**
 * Which of `wanted` the group's runs hold, read newest first: reading stops once every one is found or the runs
 * reach back to `fromMs`, before which no fire time is wanted.
 */
async function runsAmong(
  groupId: string,
  wanted: ReadonlySet<string>,
  fromMs: number,
  runLedger: RunLedger,
): Promise<Set<string>> {
  const found = new Set<string>();
  let cursor: string | undefined;
  do {
    const limit = Math.min(runsPageLimit, wanted.size - found.size + runsPageSlack);
    const page = await runLedger.listRuns(groupId, { limit, ...(cursor === undefined ? {} : { cursor }) });
    for (const run of page.items) if (wanted.has(run.runId)) found.add(run.runId);
    const oldest = page.items.at(-1);
    if (found.size === wanted.size || oldest === undefined || Date.parse(oldest.scheduledTime) <= fromMs) break;
    cursor = page.cursor;
  } while (cursor !== undefined);
  return found;
}

async function dispatchLate(
  group: JobGroup,
  scheduledTime: string,
  deps: { dispatch: DispatchTick; log: Log },
  report: MissedRunsReport,
): Promise<void> {
  const outcome = await deps.dispatch({ groupId: group.id, scheduledTime, allowOverlap: group.catchUp === 'all' });
  // The dispatcher records a tick it skips (paused meanwhile, overlap); a duplicate was handled by someone else.
  if (outcome.outcome === 'skipped') report.skipped.push(outcome.run.runId);
  if (outcome.outcome !== 'dispatched' && outcome.outcome !== 'failed') return;
  report.caughtUp.push(outcome.run.runId);
  deps.log.warn('missed run caught up', { groupId: group.id, runId: outcome.run.runId, scheduledTime });
}

async function recordUnrun(
  group: JobGroup,
  instant: Date,
  nowMs: number,
  unrun: 'missed' | 'skipped' | 'holiday',
  deps: { runLedger: RunLedger; steps: StepRequests; log: Log },
  report: MissedRunsReport,
): Promise<void> {
  const status = unrun === 'missed' ? 'missed' : 'skipped';
  const scheduledTime = instant.toISOString();
  const at = new Date(nowMs).toISOString();
  const run = newRun({
    runId: scheduledRunId(group.id, scheduledTime),
    groupId: group.id,
    dataSource: group.dataSource,
    dataset: group.dataset,
    trigger: 'scheduled',
    scheduledTime,
    businessDate: businessDateOf(instant, group.timezone),
    status,
    reason:
      unrun === 'holiday'
        ? marketHoliday
        : unrun === 'skipped'
          ? `group paused: ${group.pause?.reason ?? ''}`
          : `no tick arrived within ${missedRunGraceMs / 60_000} minutes of the fire time`,
    at,
  });
  if (!(await deps.runLedger.claimRun(run))) return;
  report[status].push(run.runId);
  if (status === 'missed') deps.log.warn('run missed', { groupId: group.id, runId: run.runId, scheduledTime });
  // A pause or a holiday here is its dependents' too; a missed run fails their rule.
  await runSettled(run, deps);
}
