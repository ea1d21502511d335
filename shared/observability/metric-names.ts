/**
 * The custom CloudWatch metrics that the functions emit (Powertools EMF) and that the dashboard and alarms read,
 * as plain data, so emitter and reader name the same thing.
 *
 * Dimensions are `dataSource`, `dataset` and `group` only — never a stock code (each value is a billed metric).
 * The dashboard and alarms aggregate with Metrics Insights over the namespace, so they hold whichever subset of
 * those dimensions a metric is emitted with.
 */

/** Namespace of every custom metric, also `POWERTOOLS_METRICS_NAMESPACE`. */
export const metricsNamespace = 'moomoo-markets';

/** Powertools service name (`POWERTOOLS_SERVICE_NAME`). */
export const serviceName = 'moomoo-markets';

/** Names of the custom metrics (unit in the comment). */
export const metricNames = {
  /** Count: runs claimed by the dispatcher. */
  runsStarted: 'RunsStarted',
  /** Count: runs that ended `succeeded`. */
  runsSucceeded: 'RunsSucceeded',
  /** Count: runs that ended `partially_failed` or `failed`. */
  runsFailed: 'RunsFailed',
  /** Count: runs the reconciler recorded as `missed`. */
  runsMissed: 'RunsMissed',
  /** Count: missed runs the reconciler dispatched late under the group's catch-up policy. */
  runsCaughtUp: 'RunsCaughtUp',
  /** Count: runs the watchdog failed because they passed their deadline. */
  runsTimedOut: 'RunsTimedOut',
  /** Count: job messages the watchdog sent again because the last one was long overdue. */
  jobMessagesResent: 'JobMessagesResent',
  /** Count: jobs that succeeded. */
  jobsSucceeded: 'JobsSucceeded',
  /** Count: attempts that failed with a retryable error. */
  jobsRetried: 'JobsRetried',
  /** Count: jobs that ended `failed` (permanent error or attempts exhausted). */
  jobsFailed: 'JobsFailed',
  /** Count: jobs deferred because their data source is rate limited or paused. */
  jobsDeferred: 'JobsDeferred',
  /** Count: deferrals of jobs that have waited an hour or more for the rate limit without fetching a page. */
  jobsStalled: 'JobsStalled',
  /** Count: requests sent to an upstream API. */
  upstreamRequests: 'UpstreamRequests',
  /** Count: upstream answers with HTTP 429. */
  upstreamThrottled: 'UpstreamThrottled',
  /** Milliseconds: time spent waiting for a token of the data source's bucket. */
  rateLimitWaitMs: 'RateLimitWaitMs',
  /** Count: a data source was paused (after a 429 or by an operator). */
  dataSourcePaused: 'DataSourcePaused',
  /** Count: schedules the reconciler created, replaced or deleted to match their groups. */
  schedulesRepaired: 'SchedulesRepaired',
  /** Count: schedules the reconciler failed to repair (the next pass tries again). */
  scheduleRepairsFailed: 'ScheduleRepairsFailed',
  /** Count: paused groups the reconciler resumed because their pause `until` had passed. */
  groupsResumed: 'GroupsResumed',
  /** Count: stored job groups that do not parse, seen by the reconciler (their schedules go unrepaired). */
  unreadableGroups: 'UnreadableGroups',
  /** Count: groups past their `expectBy` with no succeeded run for today's business date, seen by the reconciler. */
  groupsLate: 'GroupsLate',
  /** Count: 1 when the stored JPX calendar does not cover the next 30 days (the reconciler's pass). */
  calendarCoverageShort: 'CalendarCoverageShort',
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];
