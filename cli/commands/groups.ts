import { type Command, Option } from 'commander';
import { pathOf } from '#cli/api-client.ts';
import { type Group, GroupListSchema, GroupSchema, PreviewSchema, RunSchema, readAnswer } from '#cli/api-shapes.ts';
import { integerBetween, parseDate, parseInstant } from '#cli/arguments.ts';
import { editGroup, readGroup } from '#cli/commands/group-edits.ts';
import { printRunSummary, watchRun } from '#cli/commands/runs.ts';
import { type CliContext, emit, invocationOf, readJsonFile } from '#cli/context.ts';
import { printRecord, printTable } from '#cli/table.ts';

const listHint = '`moomoo groups list` shows the groups that exist';

/** `moomoo groups …`: list, read, create, edit, delete, pause, resume, run and preview (design §5 group routes). */
export function registerGroupCommands(program: Command, context: CliContext): void {
  const groups = program.command('groups').description('job groups: what to fetch, from where, on which schedule');

  groups
    .command('list')
    .description('list the job groups')
    .action(async (_options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({ method: 'GET', path: '/groups' });
      emit(invocation, answer, () => {
        const listing = readAnswer(GroupListSchema, answer, 'the groups');
        printTable(
          invocation.terminal,
          groupColumns,
          listing.groups,
          'no job groups yet: create one with `moomoo groups create -f FILE`',
        );
        for (const unreadable of listing.unreadable ?? []) {
          invocation.terminal.message(`unreadable stored group ${unreadable.id}: ${unreadable.error}`);
        }
      });
    });

  groups
    .command('get')
    .description('show a job group')
    .argument('<id>', 'group id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({ method: 'GET', path: pathOf('groups', id), notFoundHint: listHint });
      emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
    });

  groups
    .command('create')
    .description('create a job group from a JSON file (the body of POST /groups)')
    .requiredOption('-f, --file <file>', 'JSON file with the group; - reads standard input')
    .action(async (options: { file: string }, command: Command) => {
      const invocation = invocationOf(context, command);
      const body = await readJsonFile(context, options.file);
      const answer = await invocation.api.call({ method: 'POST', path: '/groups', body });
      const group = readAnswer(GroupSchema, answer, 'the created group');
      invocation.terminal.message(`created job group ${group.id} (version ${group.version})`);
      emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
    });

  groups
    .command('edit')
    .description('change fields of a job group: the file holds the fields to change (or the whole group, edited)')
    .argument('<id>', 'group id')
    .requiredOption('-f, --file <file>', 'JSON file with the fields to change; - reads standard input')
    .action(async (id: string, options: { file: string }, command: Command) => {
      await editGroup(invocationOf(context, command), id, await readJsonFile(context, options.file), options.file);
    });

  groups
    .command('delete')
    .description('delete a job group and its schedule (its runs are kept)')
    .argument('<id>', 'group id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const current = await readGroup(invocation, id);
      const answer = await invocation.api.call({
        method: 'DELETE',
        path: pathOf('groups', id),
        headers: { 'if-match': String(current.version) },
        notFoundHint: listHint,
      });
      invocation.terminal.message(`deleted job group ${id} (version ${current.version}); its runs are kept`);
      emit(invocation, answer, () => undefined);
    });

  groups
    .command('pause')
    .description('pause a job group: its schedule stops firing until you resume it (or until --until)')
    .argument('<id>', 'group id')
    .requiredOption('--reason <reason>', 'why, for whoever looks next')
    .option('--until <instant>', 'resume by itself at this instant, e.g. 2026-12-01T00:00:00+09:00', parseInstant)
    .option('--by <name>', 'who paused it')
    .action(async (id: string, options: { reason: string; until?: string; by?: string }, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'POST',
        path: pathOf('groups', id, 'pause'),
        body: {
          reason: options.reason,
          ...(options.until === undefined ? {} : { until: options.until }),
          ...(options.by === undefined ? {} : { by: options.by }),
        },
        notFoundHint: listHint,
      });
      invocation.terminal.message(
        `paused job group ${id}${options.until === undefined ? '' : ` until ${options.until}`}; resume it with \`moomoo groups resume ${id}\``,
      );
      emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
    });

  groups
    .command('resume')
    .description('resume a paused job group from its next fire time (the paused period is not replayed)')
    .argument('<id>', 'group id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'POST',
        path: pathOf('groups', id, 'resume'),
        notFoundHint: listHint,
      });
      invocation.terminal.message(`resumed job group ${id}`);
      emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
    });

  groups
    .command('run')
    .description('run a job group now (a manual run)')
    .argument('<id>', 'group id')
    .option('--date <date>', 'the business date to fetch for (default: today in the group timezone)', parseDate)
    .option('--watch', 'follow the run until it finishes (exit code as `moomoo runs watch`)')
    .action(async (id: string, options: { date?: string; watch?: boolean }, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'POST',
        path: pathOf('groups', id, 'runs'),
        body: options.date === undefined ? {} : { businessDate: options.date },
        notFoundHint: listHint,
      });
      const run = readAnswer(RunSchema, answer, 'the run');
      invocation.terminal.message(
        `started run ${run.runId} of ${run.groupId} for ${run.businessDate ?? 'today'}` +
          (options.watch === true ? '' : `; follow it with \`moomoo runs watch ${run.runId}\``),
      );
      if (options.watch === true) {
        await watchRun(invocation, run.runId);
        return;
      }
      emit(invocation, answer, () => printRunSummary(invocation, run));
    });

  groups
    .command('preview')
    .description('check a cron and timezone: the AWS expression and the next fire times (DST-aware)')
    .requiredOption('--schedule <cron>', '5-field cron, e.g. "30 17 * * 1-5"')
    .option('--timezone <tz>', 'IANA timezone (default Asia/Tokyo)')
    .option('--count <n>', 'how many fire times (1-100, default 5)', integerBetween(1, 100))
    .addOption(
      new Option('--calendar <calendar>', 'jpx: mark fire times on JPX holidays (default none)').choices([
        'jpx',
        'none',
      ]),
    )
    .action(
      async (options: { schedule: string; timezone?: string; count?: number; calendar?: string }, command: Command) => {
        const invocation = invocationOf(context, command);
        const answer = await invocation.api.call({
          method: 'POST',
          path: '/schedules/preview',
          body: {
            schedule: options.schedule,
            ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
            ...(options.count === undefined ? {} : { count: options.count }),
            ...(options.calendar === undefined ? {} : { calendar: options.calendar }),
          },
        });
        emit(invocation, answer, () => {
          const preview = readAnswer(PreviewSchema, answer, 'the preview');
          invocation.terminal.message(
            `AWS expression: ${preview.awsExpression} (${preview.timezone ?? 'timezone not given'})`,
          );
          printTable(
            invocation.terminal,
            [
              { header: 'LOCAL TIME', value: (fire) => fire.local ?? '-' },
              { header: 'UTC', value: (fire) => fire.at },
              { header: 'BUSINESS DATE', value: (fire) => fire.businessDate ?? '-' },
              { header: 'SKIP', value: (fire) => fire.skip ?? '-' },
            ],
            preview.nextFireTimes,
            'no fire times in the coming years',
          );
        });
      },
    );
}

/** Columns of `groups list`. */
export const groupColumns = [
  { header: 'ID', value: (group: Group) => group.id },
  { header: 'NAME', value: (group: Group) => group.name ?? '-', shrinks: true },
  { header: 'DATASET', value: (group: Group) => group.dataset ?? '-' },
  { header: 'SCHEDULE', value: (group: Group) => scheduleOf(group) },
  { header: 'STATE', value: (group: Group) => stateOf(group) },
  { header: 'VERSION', value: (group: Group) => String(group.version), alignRight: true },
] as const;

function scheduleOf(group: Group): string {
  if (group.schedule === null || group.schedule === undefined) return 'after dependencies';
  return `${group.schedule} ${group.timezone ?? ''}`.trim();
}

function stateOf(group: Group): string {
  if (group.pause !== null && group.pause !== undefined) {
    return `paused${group.pause.until === undefined ? '' : ` until ${group.pause.until}`}: ${group.pause.reason}`;
  }
  if (group.enabled === false) return 'disabled';
  return group.health?.state === 'late' ? 'enabled, late' : 'enabled';
}
