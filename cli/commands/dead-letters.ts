import { type Command, Option } from 'commander';
import { type DeadLetter, DeadLetterListSchema, RedriveSchema, readAnswer } from '#cli/api-shapes.ts';
import { integerBetween } from '#cli/arguments.ts';
import { type CliContext, emit, invocationOf } from '#cli/context.ts';
import { CliError } from '#cli/errors.ts';
import { type Column, printTable } from '#cli/table.ts';

interface FilterOptions {
  group?: string;
  run?: string;
  dataSource?: string;
  limit?: number;
}

const dataSourceOption = (): Option =>
  new Option('--data-source <id>', 'only this data source').choices(['jquants', 'yahoo']);

/** `moomoo dead-letters …`: inspect and redrive the dead-letter queues (design §5). */
export function registerDeadLetterCommands(program: Command, context: CliContext): void {
  const deadLetters = program
    .command('dead-letters')
    .description('jobs that failed for good, waiting in the dead-letter queues');

  deadLetters
    .command('list')
    .description('letters in the dead-letter queues, newest first, with their last error')
    .option('--group <id>', 'only this group')
    .option('--run <run-id>', 'only this run')
    .addOption(dataSourceOption())
    .option('--limit <n>', 'at most this many (1-1000, default 100)', integerBetween(1, 1000))
    .action(async (options: FilterOptions, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({ method: 'GET', path: '/dead-letters', query: queryOf(options) });
      emit(invocation, answer, () => {
        const listing = readAnswer(DeadLetterListSchema, answer, 'the dead letters');
        printTable(invocation.terminal, deadLetterColumns, listing.deadLetters, 'no dead letters: nothing is waiting');
        if (listing.deadLetters.length > 0) {
          invocation.terminal.message(
            'send them back to their job queues with `moomoo dead-letters redrive` (same filters)',
          );
        }
      });
    });

  deadLetters
    .command('redrive')
    .description('reopen the jobs of the matching letters and send them back to their job queues')
    .option('--group <id>', 'only this group')
    .option('--run <run-id>', 'only this run')
    .addOption(dataSourceOption())
    .option('--limit <n>', 'letters looked at per data source (1-1000, default 500)', integerBetween(1, 1000))
    .action(async (options: FilterOptions, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'POST',
        path: '/dead-letters/redrive',
        body: queryOf(options),
      });
      const result = readAnswer(RedriveSchema, answer, 'the redrive');
      invocation.terminal.message(
        `redriven ${result.redriven}, discarded ${result.discarded}, skipped ${result.skipped}, failed ${result.failed}` +
          (result.more ? '; more letters match: run the command again' : ''),
      );
      emit(invocation, answer, () => {
        printTable(
          invocation.terminal,
          [
            { header: 'DATA SOURCE', value: (row) => row.dataSource },
            { header: 'REDRIVEN', value: (row) => String(row.redriven), alignRight: true },
            { header: 'DISCARDED', value: (row) => String(row.discarded), alignRight: true },
            { header: 'SKIPPED', value: (row) => String(row.skipped), alignRight: true },
            { header: 'FAILED', value: (row) => String(row.failed), alignRight: true },
          ],
          result.dataSources ?? [],
          'no data source had matching letters',
        );
      });
      if (result.failed > 0) {
        throw new CliError(
          `${result.failed} letter(s) could not be redriven`,
          'they stay in their queue: look at `moomoo dead-letters list` and run the redrive again',
        );
      }
    });
}

/** Columns of `dead-letters list`. */
export const deadLetterColumns: readonly Column<DeadLetter>[] = [
  { header: 'DATA SOURCE', value: (letter) => letter.dataSource },
  { header: 'GROUP', value: (letter) => letter.groupId ?? (letter.unreadable === true ? '(unreadable)' : '-') },
  { header: 'RUN ID', value: (letter) => letter.runId ?? '-' },
  { header: 'JOB ID', value: (letter) => letter.jobId ?? '-' },
  { header: 'DATE', value: (letter) => letter.businessDate ?? '-' },
  { header: 'ATTEMPTS', value: (letter) => String(letter.attemptsMade ?? '-'), alignRight: true },
  { header: 'FAILED AT', value: (letter) => letter.failedAt ?? '-' },
  {
    header: 'ERROR',
    value: (letter) => (letter.error === undefined ? '-' : `${letter.error.code}: ${letter.error.message}`),
    shrinks: true,
  },
];

function queryOf(options: FilterOptions): Record<string, string | number> {
  return {
    ...(options.group === undefined ? {} : { groupId: options.group }),
    ...(options.run === undefined ? {} : { runId: options.run }),
    ...(options.dataSource === undefined ? {} : { dataSource: options.dataSource }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  };
}
