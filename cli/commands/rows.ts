import type { Command } from 'commander';
import { pathOf } from '#cli/api-client.ts';
import { RowPageSchema, readAnswer } from '#cli/api-shapes.ts';
import { checkRange, integerBetween, parseDate } from '#cli/arguments.ts';
import { type CliContext, emit, type Invocation, invocationOf } from '#cli/context.ts';
import { UsageError } from '#cli/errors.ts';
import { type Column, cellOf, printTable } from '#cli/table.ts';

interface RowsOptions {
  code?: string;
  date?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

type Row = Record<string, unknown>;

/** Fields every stored row has that say where it came from, not what it is: shown last. */
const provenanceFields = ['fetchedAt', 'runId'];

/** `moomoo rows DATASET …`: stored rows by code and/or date or range, a page or all of them. */
export function registerRowCommands(program: Command, context: CliContext): void {
  program
    .command('rows')
    .description('stored rows of a dataset, by code and/or date or date range')
    .argument('<dataset>', 'dataset id, e.g. jquants.equities.bars.daily')
    .option('--code <code>', 'issue code (or symbol, sector, section)')
    .option('--date <date>', 'one date, YYYY-MM-DD', parseDate)
    .option('--from <date>', 'first date of a range (with --code)', parseDate)
    .option('--to <date>', 'last date of a range (with --code)', parseDate)
    .option('--limit <n>', 'rows per page (1-1000, default 100)', integerBetween(1, 1000))
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .option('--all', 'follow the cursor to the last page')
    .action(async (dataset: string, options: RowsOptions, command: Command) => {
      checkRowsOptions(options);
      const invocation = invocationOf(context, command);
      if (options.all === true) {
        await printAllRows(invocation, dataset, options);
        return;
      }
      const answer = await invocation.api.call(rowsRequest(dataset, options, options.cursor));
      emit(invocation, answer, () => {
        const page = readAnswer(RowPageSchema, answer, 'the rows');
        printTable(invocation.terminal, rowColumns(page.rows), page.rows, 'no rows match');
        if (page.cursor !== undefined) {
          invocation.terminal.message(`more rows: add --cursor ${page.cursor}, or --all for every page`);
        }
      });
    });
}

/** Checks the combinations the API refuses, before asking it. */
export function checkRowsOptions(options: RowsOptions): void {
  if (options.code === undefined && options.date === undefined) {
    throw new UsageError(
      'give --code or --date (or both)',
      'e.g. `moomoo rows jquants.equities.bars.daily --code 72030 --from 2026-11-01 --to 2026-11-30`',
    );
  }
  if (options.date !== undefined && (options.from !== undefined || options.to !== undefined)) {
    throw new UsageError(
      '--date and --from/--to exclude each other',
      'give one date with --date, or a range with --from and --to',
    );
  }
  if ((options.from !== undefined || options.to !== undefined) && options.code === undefined) {
    throw new UsageError('a date range needs --code', 'add --code, or ask for one --date across all codes');
  }
  if (options.from !== undefined && options.to !== undefined) checkRange(options.from, options.to);
  if (options.all === true && options.cursor !== undefined) {
    throw new UsageError(
      '--all and --cursor exclude each other',
      '--all starts at the first page and follows the cursor itself',
    );
  }
}

function rowsRequest(
  dataset: string,
  options: RowsOptions,
  cursor: string | undefined,
): Parameters<Invocation['api']['call']>[0] {
  return {
    method: 'GET',
    path: pathOf('datasets', dataset, 'rows'),
    query: { code: options.code, date: options.date, from: options.from, to: options.to, limit: options.limit, cursor },
    notFoundHint: 'the API lists the datasets at GET /datasets',
  };
}

/** Every page: with `--json` one `{"rows": [...]}` of them all, otherwise one table. */
async function printAllRows(invocation: Invocation, dataset: string, options: RowsOptions): Promise<void> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const answer = await invocation.api.call(rowsRequest(dataset, options, cursor));
    const page = readAnswer(RowPageSchema, answer, 'the rows');
    rows.push(...page.rows);
    cursor = page.cursor;
    pages += 1;
  } while (cursor !== undefined);
  if (invocation.json) {
    invocation.terminal.data(JSON.stringify({ rows }));
    return;
  }
  printTable(invocation.terminal, rowColumns(rows), rows, 'no rows match');
  invocation.terminal.message(`${rows.length} rows in ${pages} page(s)`);
}

/** One column per field of the rows, in the order they first appear, provenance last. */
export function rowColumns(rows: readonly Row[]): Column<Row>[] {
  const fields: string[] = [];
  for (const row of rows) for (const field of Object.keys(row)) if (!fields.includes(field)) fields.push(field);
  const ordered = [
    ...fields.filter((field) => !provenanceFields.includes(field)),
    ...fields.filter((field) => provenanceFields.includes(field)),
  ];
  return ordered.map((field) => ({
    header: field,
    value: (row: Row) => cellOf(row[field]),
    alignRight: rows.some((row) => typeof row[field] === 'number'),
  }));
}
