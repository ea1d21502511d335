import { type Command, Option } from 'commander';
import { pathOf } from '#cli/api-client.ts';
import {
  type DataSource,
  DataSourceListSchema,
  DataSourceSchema,
  HealthCheckSchema,
  readAnswer,
} from '#cli/api-shapes.ts';
import { integerBetween, requireTogether } from '#cli/arguments.ts';
import { type CliContext, emit, invocationOf } from '#cli/context.ts';
import { CliError, UsageError } from '#cli/errors.ts';
import { type Column, printRecord, printTable } from '#cli/table.ts';

const listHint = '`moomoo data-sources list` shows the data sources (jquants, yahoo)';

interface SetOptions {
  plan?: string;
  limit?: number;
  per?: string;
  planDefault?: boolean;
}

/** `moomoo data-sources …`: plans, rate limits and credential checks (design §5). */
export function registerDataSourceCommands(program: Command, context: CliContext): void {
  const dataSources = program.command('data-sources').description('upstream APIs: plan, rate limit, credentials');

  dataSources
    .command('list')
    .description('data sources with their plan, the rate limit in force, credential health and 429 pause')
    .action(async (_options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({ method: 'GET', path: '/data-sources' });
      emit(invocation, answer, () => {
        const listing = readAnswer(DataSourceListSchema, answer, 'the data sources');
        printTable(invocation.terminal, dataSourceColumns, listing.dataSources, 'no data sources');
      });
    });

  dataSources
    .command('set')
    .description('set a data source plan or rate limit (sends the version it read)')
    .argument('<id>', 'data source id (jquants, yahoo)')
    .addOption(new Option('--plan <plan>', 'J-Quants plan').choices(['free', 'light', 'standard', 'premium']))
    .option('--limit <n>', 'requests per --per (with --per)', integerBetween(1, 100_000))
    .addOption(new Option('--per <unit>', 'unit of --limit').choices(['second', 'minute', 'hour']))
    .option('--plan-default', "drop the explicit rate limit: back to the plan's")
    .action(async (id: string, options: SetOptions, command: Command) => {
      requireTogether(options, ['limit', 'per'], '--limit 120 --per minute');
      if (options.planDefault === true && options.limit !== undefined) {
        throw new UsageError('--plan-default and --limit contradict each other', 'give one of them');
      }
      if (options.plan === undefined && options.limit === undefined && options.planDefault !== true) {
        throw new UsageError('nothing to set', 'give --plan, --limit with --per, or --plan-default');
      }
      const invocation = invocationOf(context, command);
      const read = await invocation.api.call({ method: 'GET', path: '/data-sources' });
      const current = readAnswer(DataSourceListSchema, read, 'the data sources').dataSources.find(
        (source) => source.id === id,
      );
      if (current === undefined) throw new CliError(`there is no data source '${id}'`, listHint);
      const answer = await invocation.api.call({
        method: 'PATCH',
        path: pathOf('data-sources', id),
        body: {
          ...(options.plan === undefined ? {} : { plan: options.plan }),
          ...(options.limit === undefined ? {} : { rateLimit: { limit: options.limit, per: options.per } }),
          ...(options.planDefault === true ? { rateLimit: null } : {}),
          version: current.version,
        },
        notFoundHint: listHint,
      });
      const updated = readAnswer(DataSourceSchema, answer, 'the data source');
      invocation.terminal.message(
        `updated ${id}: now ${rateLimitOf(updated)} (version ${current.version} → ${updated.version})`,
      );
      emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
    });

  dataSources
    .command('check')
    .description('check a data source credentials with its cheapest real call')
    .argument('<id>', 'data source id (jquants, yahoo)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({
        method: 'POST',
        path: pathOf('data-sources', id, 'check'),
        notFoundHint: listHint,
      });
      const health = readAnswer(HealthCheckSchema, answer, 'the check');
      emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
      if (health.status !== 'ok') {
        throw new CliError(
          `${id} credentials do not work${health.reason === undefined ? '' : `: ${health.reason}`}`,
          id === 'jquants'
            ? 'put a valid J-Quants API key in the secret (deployed) or JQUANTS_API_KEY (sandbox), then check again'
            : 'check that the upstream is reachable, then check again',
        );
      }
      invocation.terminal.message(`${id} credentials work`);
    });
}

/** Columns of `data-sources list`. */
export const dataSourceColumns: readonly Column<DataSource>[] = [
  { header: 'ID', value: (source) => source.id },
  { header: 'PLAN', value: (source) => source.plan ?? '-' },
  { header: 'RATE LIMIT', value: rateLimitOf },
  {
    header: 'CREDENTIALS',
    value: (source) =>
      source.health === undefined
        ? 'not checked'
        : `${source.health.status}${source.health.reason === undefined ? '' : `: ${source.health.reason}`}`,
    shrinks: true,
  },
  { header: 'PAUSED UNTIL', value: (source) => source.paused?.until ?? '-' },
  { header: 'VERSION', value: (source) => String(source.version), alignRight: true },
];

function rateLimitOf(source: DataSource): string {
  if (source.rateLimit === undefined) return '-';
  const origin = source.rateLimitSetting === undefined ? '' : ' (set)';
  return `${source.rateLimit.limit}/${source.rateLimit.per}${origin}`;
}
