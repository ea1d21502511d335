import { forEachConcurrently } from '#shared/concurrency.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { expectedOn, type GroupHealth, judgeFreshness } from '#shared/domain/freshness.ts';
import { type JobGroup, marketCalendarOf } from '#shared/domain/job-group.ts';
import { stuckSince } from '#shared/domain/run-transitions.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { DeadLetterDepths } from '#shared/ports/queue-depths.ts';
import type { RateLimiter } from '#shared/ports/rate-limiter.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';
import type { FreshnessReport } from '#shared/use-cases/reconciler-counts.ts';

/** How far ahead the stored JPX calendar must reach. */
export const calendarCoverageDays = 30;
/** A run that ended `timed out` stays an alert this long. */
const timedOutAlertMs = 24 * 3_600_000;
/** How many groups are read at once. */
const groupsAtOnce = 8;

/** One open alert, with a sentence for people. */
export type Alert = { readonly message: string } & (
  | { readonly kind: 'group-late'; readonly groupId: string; readonly since: string; readonly businessDate: string }
  | { readonly kind: 'unreadable-group'; readonly groupId: string; readonly error: string }
  | { readonly kind: 'data-source-paused'; readonly dataSource: string; readonly until: string }
  | { readonly kind: 'data-source-failing'; readonly dataSource: string; readonly reason: string }
  | { readonly kind: 'dead-letters'; readonly queue: string; readonly messages: number }
  | { readonly kind: 'calendar-coverage'; readonly from: string; readonly to: string }
  | {
      readonly kind: 'run-stuck' | 'run-timed-out';
      readonly runId: string;
      readonly groupId: string;
      readonly since: string;
    }
);

/** What judging a group's health needs. */
export interface HealthDeps {
  readonly runLedger: Pick<RunLedger, 'listRunsOfDates'>;
  readonly tradingCalendar: TradingCalendar;
  readonly clock: Clock;
}

/**
 * A group's freshness now (`judgeFreshness`): its runs of today's business date are read only once its `expectBy`
 * has passed on a day it is expected to run.
 */
export async function groupHealth(group: JobGroup, deps: HealthDeps): Promise<GroupHealth> {
  const now = deps.clock.now();
  if (judgeFreshness({ group, now, expectedToday: true, runsOfToday: [] }).state === 'ok') return { state: 'ok' };
  const today = businessDateOf(now, group.timezone);
  const follows = marketCalendarOf(group) === 'jpx';
  const open = follows ? await deps.tradingCalendar.businessDays(today, today) : undefined;
  const expectedToday = expectedOn(group, today, {
    follows,
    tradingDay: open === undefined ? undefined : open.length > 0,
  });
  if (!expectedToday) return { state: 'ok' };
  const runsOfToday = await deps.runLedger.listRunsOfDates(group.id, { from: today, to: today });
  return judgeFreshness({ group, now, expectedToday, runsOfToday });
}

/** The groups that are late now, each with its health. */
export async function lateGroups(
  groups: readonly JobGroup[],
  deps: HealthDeps,
): Promise<{ group: JobGroup; health: Extract<GroupHealth, { state: 'late' }> }[]> {
  const healths = await mapAtMost(groupsAtOnce, groups, (group) => groupHealth(group, deps));
  return groups.flatMap((group, index) => {
    const health = healths[index];
    return health?.state === 'late' ? [{ group, health }] : [];
  });
}

/**
 * The days the stored JPX calendar must cover when some group follows it (today in Tokyo and the next 30), and
 * whether it does; undefined when no group follows it.
 */
export async function calendarCoverage(
  groups: readonly JobGroup[],
  deps: Pick<HealthDeps, 'tradingCalendar' | 'clock'>,
): Promise<{ from: string; to: string; covered: boolean } | undefined> {
  if (!groups.some((group) => marketCalendarOf(group) === 'jpx')) return undefined;
  const from = businessDateOf(deps.clock.now(), 'Asia/Tokyo');
  const to = addDays(from, calendarCoverageDays);
  return { from, to, covered: (await deps.tradingCalendar.businessDays(from, to)) !== undefined };
}

/**
 * The reconciler's freshness pass: which groups are late now, and whether the stored JPX calendar runs out within
 * 30 days (`GroupsLate`, `CalendarCoverageShort`); each is logged as a warning.
 */
export async function freshnessPass(
  deps: HealthDeps & { readonly groupStore: JobGroupStore; readonly log: Log },
): Promise<FreshnessReport> {
  const { groups } = await deps.groupStore.list();
  const late = await lateGroups(groups, deps);
  for (const { group, health } of late) deps.log.warn('group late', { groupId: group.id, ...health });
  const coverage = await calendarCoverage(groups, deps);
  if (coverage?.covered === false) deps.log.warn('JPX calendar coverage short', { ...coverage });
  return { late: late.map(({ group }) => group.id), calendarCoverageShort: coverage?.covered === false };
}

/** What listing the open alerts reads. */
export interface AlertDeps extends HealthDeps {
  readonly groupStore: JobGroupStore;
  readonly runLedger: Pick<RunLedger, 'listRunsOfDates' | 'listOpenRuns'>;
  readonly settingsStore: Pick<DataSourceSettingsStore, 'getHealth'>;
  readonly rateLimiter: Pick<RateLimiter, 'status'>;
  readonly deadLetterDepths: DeadLetterDepths;
}

/**
 * Every open alert (`GET /alerts`): late groups, stored groups that cannot be read, data sources paused after 429s
 * or whose credentials fail, dead-letter queues that hold messages, a stored JPX calendar that runs out within 30
 * days, and runs that are stuck (past their deadline yet open, or dispatching for 15 minutes) or ended `timed out`
 * within the last day. An empty list means nothing needs anyone.
 */
export async function openAlerts(deps: AlertDeps): Promise<Alert[]> {
  const nowMs = deps.clock.now().getTime();
  const { groups, unreadable } = await deps.groupStore.list();
  const [late, coverage, dataSources, depths, runs] = await Promise.all([
    lateGroups(groups, deps),
    calendarCoverage(groups, deps),
    dataSourceAlerts(deps, nowMs),
    deps.deadLetterDepths.depths(),
    runAlerts(groups, deps, nowMs),
  ]);
  return [
    ...late.map(
      ({ group, health }): Alert => ({
        kind: 'group-late',
        groupId: group.id,
        since: health.since,
        businessDate: health.businessDate,
        message: `group ${group.id} has no succeeded run for ${health.businessDate} past its expectBy ${group.expectBy}`,
      }),
    ),
    ...unreadable.map(
      ({ id, error }): Alert => ({
        kind: 'unreadable-group',
        groupId: id,
        error,
        message: `stored group ${id} cannot be read: ${error}`,
      }),
    ),
    ...dataSources,
    ...depths
      .filter(({ messages }) => messages > 0)
      .map(
        ({ queue, messages }): Alert => ({
          kind: 'dead-letters',
          queue,
          messages,
          message: `${messages} message(s) in the ${queue} dead-letter queue`,
        }),
      ),
    ...(coverage === undefined || coverage.covered
      ? []
      : [
          {
            kind: 'calendar-coverage' as const,
            from: coverage.from,
            to: coverage.to,
            message: `the stored JPX calendar does not cover ${coverage.from}…${coverage.to}: run a jquants.markets.calendar group`,
          },
        ]),
    ...runs,
  ];
}

async function dataSourceAlerts(deps: AlertDeps, nowMs: number): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const dataSource of DataSourceIdSchema.options) {
    const [limits, health] = await Promise.all([
      deps.rateLimiter.status(dataSource),
      deps.settingsStore.getHealth(dataSource),
    ]);
    if (limits.pausedUntil !== undefined && Date.parse(limits.pausedUntil) > nowMs) {
      alerts.push({
        kind: 'data-source-paused',
        dataSource,
        until: limits.pausedUntil,
        message: `data source ${dataSource} is paused until ${limits.pausedUntil} after ${limits.consecutive429s} 429 answer(s)`,
      });
    }
    if (health?.status === 'failing') {
      const reason = health.reason ?? 'credentials rejected';
      alerts.push({
        kind: 'data-source-failing',
        dataSource,
        reason,
        message: `data source ${dataSource} credentials are failing: ${reason}`,
      });
    }
  }
  return alerts;
}

/** Open runs that are stuck, and runs of yesterday and today that ended timed out within the last day. */
async function runAlerts(groups: readonly JobGroup[], deps: AlertDeps, nowMs: number): Promise<Alert[]> {
  const alerts: Alert[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.runLedger.listOpenRuns({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    for (const run of page.items) {
      const since = stuckSince(run, nowMs);
      if (since === undefined) continue;
      alerts.push({
        kind: 'run-stuck',
        runId: run.runId,
        groupId: run.groupId,
        since,
        message: `run ${run.runId} is still ${run.status} since ${since}`,
      });
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const recent = await mapAtMost(groupsAtOnce, groups, (group) =>
    deps.runLedger.listRunsOfDates(group.id, { from: addDays(today, -2), to: addDays(today, 1) }),
  );
  for (const run of recent.flat()) {
    // `timed out`, or `timed out waiting for …` (its dependencies).
    if (run.status !== 'failed' || !run.reason?.startsWith('timed out') || run.finishedAt === undefined) continue;
    if (nowMs - Date.parse(run.finishedAt) > timedOutAlertMs) continue;
    alerts.push({
      kind: 'run-timed-out',
      runId: run.runId,
      groupId: run.groupId,
      since: run.finishedAt,
      message: `run ${run.runId} timed out at ${run.finishedAt}`,
    });
  }
  return alerts;
}

/** `map` over `items`, at most `limit` calls at once, answers in order. */
async function mapAtMost<T, R>(limit: number, items: readonly T[], map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  await forEachConcurrently(items, limit, async (item, index) => {
    results[index] = await map(item);
  });
  return results;
}
