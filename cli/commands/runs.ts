import { type Command, Option } from 'commander';
import { pathOf } from '#cli/api-client.ts';
import {
  type Job,
  JobPageSchema,
  RetrySchema,
  type Run,
  RunPageSchema,
  RunSchema,
  readAnswer,
} from '#cli/api-shapes.ts';
import { integerBetween } from '#cli/arguments.ts';
import { type CliContext, emit, type Invocation, invocationOf } from '#cli/context.ts';
import { CliError } from '#cli/errors.ts';
import { formatCount, type ProgressSnapshot } from '#cli/progress.ts';
import { type Column, printRecord, printTable } from '#cli/table.ts';
import { type WatchVerdict, watch } from '#cli/watch.ts';

const runHint = (groupId = 'GROUP'): string => `\`moomoo runs list ${groupId}\` shows a group's runs`;

/** Seconds between polls of `watch`. */
const defaultIntervalSeconds = 2;

/** `moomoo runs …`: history, progress, jobs, watch and retry (design §5 run routes). */
export function registerRunCommands(program: Command, context: CliContext): void {
  const runs = program.command('runs').description('runs of job groups: history, progress, failures');

  runs
    .command('list')
    .description('a group runs, newest first')
    .argument('<group>', 'group id')
    .option('--limit <n>', 'runs per page (1-1000, default 100)', integerBetween(1, 1000))
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .action(async (group: string, options: { limit?: number; cursor?: string }, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'GET',
        path: pathOf('groups', group, 'runs'),
        query: { limit: options.limit, cursor: options.cursor },
        notFoundHint: '`moomoo groups list` shows the groups that exist',
      });
      emit(invocation, answer, () => {
        const page = readAnswer(RunPageSchema, answer, 'the runs');
        printTable(
          invocation.terminal,
          runColumns,
          page.runs,
          `no runs of ${group} yet: start one with \`moomoo groups run ${group}\``,
        );
        if (page.cursor !== undefined) {
          invocation.terminal.message(`more runs: \`moomoo runs list ${group} --cursor ${page.cursor}\``);
        }
      });
    });

  runs
    .command('get')
    .description('a run: status, counters and upstream requests')
    .argument('<run-id>', 'run id')
    .action(async (runId: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({ method: 'GET', path: pathOf('runs', runId), notFoundHint: runHint() });
      emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
    });

  runs
    .command('jobs')
    .description('a run jobs with attempts, rows and last error')
    .argument('<run-id>', 'run id')
    .addOption(
      new Option('--status <status>', 'only jobs of this status').choices([
        'queued',
        'running',
        'retrying',
        'succeeded',
        'failed',
      ]),
    )
    .option('--limit <n>', 'jobs per page (1-1000, default 100)', integerBetween(1, 1000))
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .action(async (runId: string, options: { status?: string; limit?: number; cursor?: string }, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'GET',
        path: pathOf('runs', runId, 'jobs'),
        query: { status: options.status, limit: options.limit, cursor: options.cursor },
        notFoundHint: runHint(),
      });
      emit(invocation, answer, () => {
        const page = readAnswer(JobPageSchema, answer, 'the jobs');
        printTable(
          invocation.terminal,
          jobColumns,
          page.jobs,
          `no ${options.status ?? ''} jobs in run ${runId}`.replace('  ', ' '),
        );
        if (page.cursor !== undefined) {
          invocation.terminal.message(`more jobs: \`moomoo runs jobs ${runId} --cursor ${page.cursor}\``);
        }
      });
    });

  runs
    .command('watch')
    .description('follow a run until it finishes; exit 0 only if it succeeded')
    .argument('<run-id>', 'run id')
    .option(
      '--interval <seconds>',
      `seconds between polls (default ${defaultIntervalSeconds})`,
      integerBetween(1, 3600),
    )
    .action(async (runId: string, options: { interval?: number }, command: Command) => {
      await watchRun(invocationOf(context, command), runId, options.interval);
    });

  runs
    .command('retry')
    .description('re-queue a run failed and dead-lettered jobs; the run goes on until they finish')
    .argument('<run-id>', 'run id')
    .action(async (runId: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'POST',
        path: pathOf('runs', runId, 'retry'),
        notFoundHint: runHint(),
      });
      const result = readAnswer(RetrySchema, answer, 'the retry');
      invocation.terminal.message(
        `re-queued ${result.retried} failed job(s) of run ${runId}` +
          (result.more === true ? '; more failed jobs remain: run the command again' : '') +
          `; follow it with \`moomoo runs watch ${runId}\``,
      );
      emit(invocation, answer, () => printRunSummary(invocation, result.run));
    });
}

/** Columns of `runs list`. */
export const runColumns: readonly Column<Run>[] = [
  { header: 'RUN ID', value: (run) => run.runId },
  { header: 'DATE', value: (run) => run.businessDate ?? '-' },
  { header: 'TRIGGER', value: (run) => run.trigger ?? '-' },
  { header: 'STATUS', value: (run) => run.status },
  {
    header: 'JOBS',
    value: (run) => `${run.counters.succeeded + run.counters.failed}/${run.counters.total}`,
    alignRight: true,
  },
  { header: 'FAILED', value: (run) => String(run.counters.failed), alignRight: true },
  { header: 'REQUESTS', value: (run) => String(run.upstreamRequests ?? '-'), alignRight: true },
  { header: 'CREATED', value: (run) => run.createdAt ?? '-' },
  { header: 'REASON', value: (run) => run.reason ?? '-', shrinks: true },
];

/** Columns of `runs jobs`. */
export const jobColumns: readonly Column<Job>[] = [
  { header: 'JOB ID', value: (job) => job.jobId },
  {
    header: 'STATUS',
    value: (job) => (job.waitingFor === undefined ? job.status : `${job.status} (waiting for ${job.waitingFor})`),
  },
  { header: 'ATTEMPTS', value: (job) => `${job.attemptsMade ?? 0}/${job.maxAttempts ?? '-'}`, alignRight: true },
  { header: 'ROWS', value: (job) => String(job.rowsWritten ?? '-'), alignRight: true },
  { header: 'REQUESTS', value: (job) => String(job.upstreamRequests ?? '-'), alignRight: true },
  {
    header: 'LAST ERROR',
    value: (job) => (job.lastError === undefined ? '-' : `${job.lastError.code}: ${job.lastError.message}`),
    shrinks: true,
  },
];

/** A run as one record on stdout. */
export function printRunSummary(invocation: Invocation, run: Run): void {
  printRecord(invocation.terminal, {
    runId: run.runId,
    groupId: run.groupId,
    businessDate: run.businessDate,
    trigger: run.trigger,
    status: run.status,
    jobs: `${run.counters.succeeded} succeeded, ${run.counters.failed} failed of ${run.counters.total}`,
    upstreamRequests: run.upstreamRequests,
  });
}

/** Follows a run until it finishes (see `watch`). */
export async function watchRun(
  invocation: Invocation,
  runId: string,
  intervalSeconds = defaultIntervalSeconds,
): Promise<void> {
  await watch(
    invocation,
    {
      subject: `run ${runId}`,
      poll: () => invocation.api.call({ method: 'GET', path: pathOf('runs', runId), notFoundHint: runHint() }),
      read: (answer) => readAnswer(RunSchema, answer, 'the run'),
      snapshot: runSnapshot,
      verdict: runVerdict,
    },
    { intervalMs: intervalSeconds * 1000 },
  );
}

/** Where a run stands, for its progress bar or line. */
export function runSnapshot(run: Run): ProgressSnapshot {
  const details = [`${run.counters.failed} failed`, `${formatCount(run.upstreamRequests ?? 0)} requests`];
  if ((run.waitingForRateLimit ?? 0) > 0) details.push(`${run.waitingForRateLimit} waiting for rate limit`);
  if (run.rowsWritten !== undefined) details.push(`${formatCount(run.rowsWritten)} rows`);
  return {
    status: run.status,
    done: run.counters.succeeded + run.counters.failed,
    total: run.counters.total,
    details,
  };
}

/** Whether a run is still going, succeeded, or ended otherwise (with what to do next). */
export function runVerdict(run: Run): WatchVerdict {
  const { counters } = run;
  const failedJobs = (): CliError =>
    counters.total === 0
      ? new CliError(
          `run ${run.runId} ${run.status}${run.reason === undefined ? '' : `: ${run.reason}`}`,
          `see the group with \`moomoo groups get ${run.groupId}\`, fix it with \`moomoo groups edit\`, and run it again`,
        )
      : new CliError(
          `run ${run.runId} ${run.status}: ${counters.failed} of ${counters.total} jobs failed${run.reason === undefined ? '' : ` (${run.reason})`}`,
          `see why with \`moomoo runs jobs ${run.runId} --status failed\`, then re-queue them with \`moomoo runs retry ${run.runId}\``,
        );
  switch (run.status) {
    case 'dispatching':
    case 'running':
      return { state: 'going' };
    case 'succeeded':
      return {
        state: 'succeeded',
        summary: `run ${run.runId} succeeded: ${counters.succeeded}/${counters.total} jobs, ${formatCount(run.upstreamRequests ?? 0)} requests`,
      };
    case 'partially_failed':
    case 'failed':
      return { state: 'failed', error: failedJobs() };
    default:
      return {
        state: 'failed',
        error: new CliError(
          `run ${run.runId} ${run.status}${run.reason === undefined ? '' : `: ${run.reason}`}; nothing was fetched`,
          `\`moomoo groups get ${run.groupId}\` shows whether the group is paused; \`moomoo groups run ${run.groupId}\` runs it now`,
        ),
      };
  }
}
