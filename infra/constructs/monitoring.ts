import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { MoomooFunction } from '#infra/constructs/moomoo-function.ts';
import type { DeadLetterQueueResource, FetchQueueResource, QueueResource } from '#infra/stacks/stateful-resources.ts';
import { type MetricName, metricNames, metricsNamespace } from '#shared/observability/metric-names.ts';

/** What to watch and whom to tell. */
export interface MonitoringProps {
  readonly functions: readonly MoomooFunction[];
  readonly fetchQueues: readonly FetchQueueResource[];
  readonly backfillSteps: QueueResource;
  readonly scheduleDeadLetters: DeadLetterQueueResource;
  readonly alarmTopic: ITopic;
}

const period = Duration.minutes(5);

/**
 * A custom metric summed over every dimension combination it is emitted with (a Metrics Insights query), or
 * split by one dimension. Metrics Insights reads only the last three hours, plenty for alarms and a live view.
 */
const customMetric = (
  name: MetricName,
  options: { groupBy?: 'dataSource'; statistic?: 'SUM' | 'MAX' } = {},
): MathExpression =>
  new MathExpression({
    expression: `SELECT ${options.statistic ?? 'SUM'}(${name}) FROM "${metricsNamespace}"${options.groupBy ? ` GROUP BY ${options.groupBy}` : ''}`,
    label: name,
    period,
  });

const graph = (title: string, left: IMetric[], width = 8): GraphWidget => new GraphWidget({ title, left, width });

/**
 * The operations dashboard (runs, jobs by status, upstream requests and 429s, rate-limit wait, queues, DLQs, each
 * function's errors, throttles and duration, late groups, calendar coverage and the reconciler's repairs) and the
 * alarms that notify the alarm topic: a DLQ holds a message (a job queue's, the backfill steps' or the schedules'), a
 * function errs, a run failed, was missed or timed out, a job stalled, a data source was paused, a stored group is
 * unreadable, a group is late, the JPX calendar runs out. The README describes each alarm and what to do about it.
 */
export class Monitoring extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { functions, fetchQueues, backfillSteps, scheduleDeadLetters } = props;
    const queues = [...fetchQueues, backfillSteps];
    const label = (fn: MoomooFunction): string => fn.node.id;

    new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          graph('Runs', [
            customMetric(metricNames.runsStarted),
            customMetric(metricNames.runsSucceeded),
            customMetric(metricNames.runsFailed),
            customMetric(metricNames.runsMissed),
            customMetric(metricNames.runsTimedOut),
          ]),
          graph('Jobs by status', [
            customMetric(metricNames.jobsSucceeded),
            customMetric(metricNames.jobsRetried),
            customMetric(metricNames.jobsDeferred),
            customMetric(metricNames.jobsStalled),
            customMetric(metricNames.jobsFailed),
          ]),
          graph('Data sources paused', [customMetric(metricNames.dataSourcePaused, { groupBy: 'dataSource' })]),
        ],
        [
          graph('Upstream requests', [customMetric(metricNames.upstreamRequests, { groupBy: 'dataSource' })]),
          graph('Upstream 429s', [customMetric(metricNames.upstreamThrottled, { groupBy: 'dataSource' })]),
          graph('Rate-limit wait (ms, max)', [
            customMetric(metricNames.rateLimitWaitMs, { groupBy: 'dataSource', statistic: 'MAX' }),
          ]),
        ],
        [
          graph(
            'Queue depth',
            queues.map(({ definition, queue }) =>
              queue.metricApproximateNumberOfMessagesVisible({ label: definition.id, period }),
            ),
          ),
          graph(
            'Age of oldest message (s)',
            queues.map(({ definition, queue }) =>
              queue.metricApproximateAgeOfOldestMessage({ label: definition.id, period }),
            ),
          ),
          graph('Dead letters', [
            ...queues.map(({ definition, deadLetterQueue }) =>
              deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: definition.id, period }),
            ),
            scheduleDeadLetters.queue.metricApproximateNumberOfMessagesVisible({
              label: scheduleDeadLetters.definition.id,
              period,
            }),
          ]),
        ],
        [
          graph(
            'Lambda errors',
            functions.map((fn) => fn.function.metricErrors({ label: label(fn), period })),
          ),
          graph(
            'Lambda throttles',
            functions.map((fn) => fn.function.metricThrottles({ label: label(fn), period })),
          ),
          graph(
            'Lambda duration (p99, ms)',
            functions.map((fn) => fn.function.metricDuration({ label: label(fn), period, statistic: Stats.p(99) })),
          ),
        ],
        [
          graph('Groups late', [customMetric(metricNames.groupsLate)]),
          graph('JPX calendar coverage short', [customMetric(metricNames.calendarCoverageShort, { statistic: 'MAX' })]),
          graph('Reconciler', [
            customMetric(metricNames.schedulesRepaired),
            customMetric(metricNames.scheduleRepairsFailed),
            customMetric(metricNames.groupsResumed),
            customMetric(metricNames.unreadableGroups),
            customMetric(metricNames.runsCaughtUp),
            customMetric(metricNames.jobMessagesResent),
          ]),
        ],
      ],
    });

    const alarmAbove0 = (alarmId: string, metric: IMetric, description: string): Alarm =>
      new Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });

    const alarms = [
      ...fetchQueues.map(({ definition, deadLetterQueue }) =>
        alarmAbove0(
          `${definition.id}DeadLettersNotEmpty`,
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM }),
          `The ${definition.dataSource} dead-letter queue holds jobs: inspect them and redrive.`,
        ),
      ),
      alarmAbove0(
        `${backfillSteps.definition.id}DeadLettersNotEmpty`,
        backfillSteps.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM }),
        'A step failed on every delivery; its message names the backfill, or the group and date whose dependents ' +
          'were to be judged: look for it in the AdvanceBackfill logs. Nothing is lost (every 5 minutes the ' +
          'reconciler asks every open backfill for a step, and again for the dependents of the last days runs): ' +
          'purge the dead-letter queue once the cause is fixed.',
      ),
      alarmAbove0(
        `${scheduleDeadLetters.definition.id}NotEmpty`,
        scheduleDeadLetters.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM }),
        'EventBridge Scheduler could not deliver a tick to the dispatcher within its retry policy. Each message is ' +
          'the tick ({groupId, scheduledTime}); its ERROR_CODE and ERROR_MESSAGE attributes say why (a missing ' +
          'function or permission, throttling). Fix the cause; the reconciler has already recorded the run missed or ' +
          'caught it up, so purge the queue once read.',
      ),
      ...functions.map((fn) =>
        alarmAbove0(
          `${label(fn)}Errors`,
          fn.function.metricErrors({ period, statistic: Stats.SUM }),
          `${label(fn)} failed an invocation.`,
        ),
      ),
      alarmAbove0('RunsFailed', customMetric(metricNames.runsFailed), 'A run ended failed or partially failed.'),
      alarmAbove0('RunsMissed', customMetric(metricNames.runsMissed), 'A scheduled run did not happen.'),
      alarmAbove0(
        'DataSourcePaused',
        customMetric(metricNames.dataSourcePaused),
        'A data source was paused (rate limited upstream or by an operator).',
      ),
      alarmAbove0(
        'JobsStalled',
        customMetric(metricNames.jobsStalled),
        'A job has waited an hour or more for the rate limit without fetching a page: check the data source plan, ' +
          'its pause after 429s, and the runs waiting on it.',
      ),
      alarmAbove0(
        'RunsTimedOut',
        customMetric(metricNames.runsTimedOut),
        'A run passed its deadline: its unfinished jobs failed with run_timed_out.',
      ),
      alarmAbove0(
        'GroupsLate',
        customMetric(metricNames.groupsLate),
        'A group has no succeeded run for today past its expectBy: GET /alerts lists it; look at its runs.',
      ),
      alarmAbove0(
        'CalendarCoverageShort',
        customMetric(metricNames.calendarCoverageShort),
        'The stored JPX calendar does not cover the next 30 days: run the jquants.markets.calendar group.',
      ),
      alarmAbove0(
        'UnreadableGroups',
        customMetric(metricNames.unreadableGroups),
        'A stored job group does not parse: GET /groups lists it under unreadable; fix or delete the item.',
      ),
    ];
    const notify = new SnsAction(props.alarmTopic);
    for (const alarm of alarms) alarm.addAlarmAction(notify);
    this.alarms = alarms;
  }
}
