import type { Command } from 'commander';
import { pathOf } from '#cli/api-client.ts';
import { type Backfill, BackfillPageSchema, BackfillSchema, readAnswer } from '#cli/api-shapes.ts';
import { checkRange, integerBetween, parseDate } from '#cli/arguments.ts';
import { type CliContext, emit, type Invocation, invocationOf } from '#cli/context.ts';
import { CliError } from '#cli/errors.ts';
import { formatCount, formatSeconds, type ProgressSnapshot } from '#cli/progress.ts';
import { type Column, printRecord, printTable } from '#cli/table.ts';
import { type WatchVerdict, watch } from '#cli/watch.ts';

const backfillHint = '`moomoo backfill list GROUP` shows a group backfills';

/** Seconds between polls of `watch`. */
const defaultIntervalSeconds = 5;

/** `moomoo backfill …`: one run per JPX business date in a range, with progress and ETA (design §5). */
export function registerBackfillCommands(program: Command, context: CliContext): void {
  const backfill = program.command('backfill').description('fetch a range of past business dates for a group');

  backfill
    .command('start')
    .description('start a backfill: one run per business date from --from to --to')
    .argument('<group>', 'group id')
    .requiredOption('--from <date>', 'first business date, YYYY-MM-DD', parseDate)
    .requiredOption('--to <date>', 'last business date, YYYY-MM-DD', parseDate)
    .option('--force', 'also run dates that already succeeded')
    .option('--watch', 'follow the backfill until it finishes (exit code as `moomoo backfill watch`)')
    .option(
      '--interval <seconds>',
      `with --watch, seconds between polls (default ${defaultIntervalSeconds})`,
      integerBetween(1, 3600),
    )
    .action(
      async (
        group: string,
        options: { from: string; to: string; force?: boolean; watch?: boolean; interval?: number },
        command: Command,
      ) => {
        checkRange(options.from, options.to);
        const invocation = invocationOf(context, command);
        const answer = await invocation.api.call({
          method: 'POST',
          path: pathOf('groups', group, 'backfill'),
          body: { from: options.from, to: options.to, ...(options.force === true ? { force: true } : {}) },
          notFoundHint: '`moomoo groups list` shows the groups that exist',
        });
        const started = readAnswer(BackfillSchema, answer, 'the backfill');
        invocation.terminal.message(
          `started backfill ${started.backfillId} of ${group} from ${options.from} to ${options.to}` +
            (options.watch === true ? '' : `; follow it with \`moomoo backfill watch ${started.backfillId}\``),
        );
        if (options.watch === true) {
          await watchBackfill(invocation, started.backfillId, options.interval ?? defaultIntervalSeconds);
          return;
        }
        emit(invocation, answer, () => printBackfill(invocation, started));
      },
    );

  backfill
    .command('status')
    .description('a backfill: status, dates and jobs done, requests, ETA, failures')
    .argument('<backfill-id>', 'backfill id')
    .action(async (backfillId: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'GET',
        path: pathOf('backfills', backfillId),
        notFoundHint: backfillHint,
      });
      emit(invocation, answer, () => printBackfill(invocation, readAnswer(BackfillSchema, answer, 'the backfill')));
    });

  backfill
    .command('watch')
    .description('follow a backfill until it finishes; exit 0 only if it succeeded')
    .argument('<backfill-id>', 'backfill id')
    .option(
      '--interval <seconds>',
      `seconds between polls (default ${defaultIntervalSeconds})`,
      integerBetween(1, 3600),
    )
    .action(async (backfillId: string, options: { interval?: number }, command: Command) => {
      await watchBackfill(invocationOf(context, command), backfillId, options.interval ?? defaultIntervalSeconds);
    });

  backfill
    .command('cancel')
    .description('cancel a backfill: dates not yet started are not run')
    .argument('<backfill-id>', 'backfill id')
    .action(async (backfillId: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'POST',
        path: pathOf('backfills', backfillId, 'cancel'),
        notFoundHint: backfillHint,
        conflictHint: `it has already finished, so nothing is left to stop: \`moomoo backfill status ${backfillId}\` shows how it ended`,
      });
      const cancelled = readAnswer(BackfillSchema, answer, 'the backfill');
      invocation.terminal.message(`cancelled backfill ${backfillId} (${cancelled.status})`);
      emit(invocation, answer, () => printBackfill(invocation, cancelled));
    });

  backfill
    .command('list')
    .description('a group backfills, newest first')
    .argument('<group>', 'group id')
    .option('--limit <n>', 'backfills per page (1-100, default 20)', integerBetween(1, 100))
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .action(async (group: string, options: { limit?: number; cursor?: string }, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'GET',
        path: pathOf('groups', group, 'backfills'),
        query: { limit: options.limit, cursor: options.cursor },
        notFoundHint: '`moomoo groups list` shows the groups that exist',
      });
      emit(invocation, answer, () => {
        const page = readAnswer(BackfillPageSchema, answer, 'the backfills');
        printTable(
          invocation.terminal,
          backfillColumns,
          page.backfills,
          `no backfills of ${group} yet: start one with \`moomoo backfill start ${group} --from YYYY-MM-DD --to YYYY-MM-DD\``,
        );
        if (page.cursor !== undefined) {
          invocation.terminal.message(`more backfills: \`moomoo backfill list ${group} --cursor ${page.cursor}\``);
        }
      });
    });
}

/** Columns of `backfill list`. */
export const backfillColumns: readonly Column<Backfill>[] = [
  { header: 'BACKFILL ID', value: (backfill) => backfill.backfillId },
  { header: 'FROM', value: (backfill) => backfill.from },
  { header: 'TO', value: (backfill) => backfill.to },
  { header: 'STATUS', value: (backfill) => backfill.status },
  {
    header: 'DATES',
    value: ({ progress: { dates } }) => `${dates.done + dates.skipped}/${dates.total}`,
    alignRight: true,
  },
  { header: 'FAILED', value: (backfill) => String(backfill.progress.dates.failed), alignRight: true },
  { header: 'CREATED', value: (backfill) => backfill.createdAt ?? '-' },
];

function printBackfill(invocation: Invocation, backfill: Backfill): void {
  const { dates, jobs } = backfill.progress;
  printRecord(invocation.terminal, {
    backfillId: backfill.backfillId,
    groupId: backfill.groupId,
    range: `${backfill.from} to ${backfill.to}${backfill.force === true ? ' (force)' : ''}`,
    status: backfill.reason === undefined ? backfill.status : `${backfill.status}: ${backfill.reason}`,
    dates: `${dates.done} done, ${dates.skipped} skipped, ${dates.running} running, ${dates.pending} pending, ${dates.failed} failed of ${dates.total}`,
    jobs: `${jobs.succeeded} succeeded, ${jobs.failed} failed of ${jobs.total}`,
    ...requestFields(backfill),
    ...(backfill.progress.etaSeconds === undefined ? {} : { eta: formatSeconds(backfill.progress.etaSeconds) }),
  });
  for (const failure of backfill.failures.slice(0, 20)) {
    invocation.terminal.message(failureLine(failure));
  }
  if (backfill.failures.length > 20)
    invocation.terminal.message(`… and ${backfill.failures.length - 20} more failures`);
}

function requestFields(backfill: Backfill): Record<string, string> {
  const { rowsWritten, upstreamRequests, plannedRequests } = backfill.progress;
  return {
    ...(rowsWritten === undefined ? {} : { rowsWritten: formatCount(rowsWritten) }),
    ...(upstreamRequests === undefined
      ? {}
      : {
          upstreamRequests: `${formatCount(upstreamRequests)}${plannedRequests === undefined ? '' : ` of ${formatCount(plannedRequests)} planned`}`,
        }),
  };
}

function failureLine(failure: Backfill['failures'][number]): string {
  const where = [failure.date, failure.runId, failure.jobId].filter((part) => part !== undefined).join(' ');
  return `failed: ${where}: ${failure.error.code}: ${failure.error.message}`;
}

async function watchBackfill(invocation: Invocation, backfillId: string, intervalSeconds: number): Promise<void> {
  await watch(
    invocation,
    {
      subject: `backfill ${backfillId}`,
      poll: () =>
        invocation.api.call({ method: 'GET', path: pathOf('backfills', backfillId), notFoundHint: backfillHint }),
      read: (answer) => readAnswer(BackfillSchema, answer, 'the backfill'),
      snapshot: backfillSnapshot,
      verdict: backfillVerdict,
    },
    { intervalMs: intervalSeconds * 1000 },
  );
}

/** Where a backfill stands, for its progress bar or line. */
export function backfillSnapshot(backfill: Backfill): ProgressSnapshot {
  const { dates, jobs, rowsWritten, upstreamRequests, plannedRequests, etaSeconds } = backfill.progress;
  const details = [
    `dates ${dates.done + dates.skipped}/${dates.total} (${dates.running} running, ${dates.failed} failed)`,
    `${jobs.failed} jobs failed`,
  ];
  if (upstreamRequests !== undefined) {
    details.push(
      `${formatCount(upstreamRequests)}${plannedRequests === undefined ? '' : `/${formatCount(plannedRequests)}`} requests`,
    );
  }
  if (rowsWritten !== undefined) details.push(`${formatCount(rowsWritten)} rows`);
  if (etaSeconds !== undefined) details.push(`ETA ${formatSeconds(etaSeconds)}`);
  return { status: backfill.status, done: jobs.succeeded + jobs.failed, total: jobs.total, details };
}

/** Whether a backfill is still going, succeeded, or ended otherwise (with what to do next). */
export function backfillVerdict(backfill: Backfill): WatchVerdict {
  const { dates } = backfill.progress;
  const reason = backfill.reason === undefined ? '' : ` (${backfill.reason})`;
  switch (backfill.status) {
    case 'planning':
    case 'running':
      return { state: 'going' };
    case 'succeeded':
      return {
        state: 'succeeded',
        summary: `backfill ${backfill.backfillId} succeeded: ${dates.done} dates run, ${dates.skipped} skipped`,
      };
    case 'cancelled':
      return {
        state: 'failed',
        error: new CliError(
          `backfill ${backfill.backfillId} was cancelled${reason}: ${dates.done} of ${dates.total} dates done`,
          `start it again with \`moomoo backfill start ${backfill.groupId} --from ${backfill.from} --to ${backfill.to}\` (dates that succeeded are skipped)`,
        ),
      };
    default:
      return {
        state: 'failed',
        error: new CliError(
          `backfill ${backfill.backfillId} ${backfill.status}${reason}: ${dates.failed} of ${dates.total} dates failed`,
          `see the failures with \`moomoo backfill status ${backfill.backfillId}\`; retry a date with \`moomoo runs retry RUN_ID\`, or start the range again`,
          { detailLines: backfill.failures.slice(0, 5).map(failureLine) },
        ),
      };
  }
}
