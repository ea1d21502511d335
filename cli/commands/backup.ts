import type { Command } from 'commander';
import { isRecord } from '#cli/api-client.ts';
import { ImportReportSchema, readAnswer } from '#cli/api-shapes.ts';
import { type CliContext, emit, type Invocation, invocationOf, readJsonFile } from '#cli/context.ts';
import { ApiError, CliError } from '#cli/errors.ts';
import { maxBodyBytes } from '#shared/admin-api/handle-request.ts';
import { chunkBackup } from '#shared/domain/backup-chunks.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { Backup } from '#shared/use-cases/backup.ts';
import type * as z from '#shared/zod.ts';

/** `moomoo export` and `moomoo import`: backup and restore of groups and data-source settings (design §5). */
export function registerBackupCommands(program: Command, context: CliContext): void {
  program
    .command('export')
    .description('save every job group and data-source setting as one JSON document')
    .option('-o, --output <file>', 'write it to this file instead of stdout')
    .action(async (options: { output?: string }, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({ method: 'GET', path: '/export' });
      // A file for people to read and edit: indented, unless --json asks for the API's text exactly.
      const contents = invocation.json ? answer.text : JSON.stringify(answer.body, null, 2);
      const counts = countsOf(answer.body);
      if (options.output === undefined) {
        invocation.terminal.data(contents);
      } else {
        try {
          await context.writeFile(options.output, `${contents}\n`);
        } catch (error) {
          throw new CliError(
            `cannot write ${options.output}: ${(error as Error).message}`,
            'check the path and that you may write there',
          );
        }
      }
      invocation.terminal.message(
        `exported ${counts.groups} job groups and ${counts.dataSources} data-source settings` +
          (options.output === undefined ? '' : ` to ${options.output}`),
      );
    });

  program
    .command('import')
    .description('restore a document of `moomoo export`: sent in requests under the API body limit, each reported')
    .argument('<file>', 'the backup document; - reads standard input')
    .action(async (file: string, _options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      await importFile(invocation, file);
    });
}

/** What one import request did (the API's report), summed over requests. */
interface ImportTally {
  created: number;
  updated: number;
  unchanged: number;
  dataSources: number;
}

async function importFile(invocation: Invocation, file: string): Promise<void> {
  const document = await parseBackup(invocation.context, file);
  const bodies = importBodiesOf(document, file);
  const applied: ImportTally = { created: 0, updated: 0, unchanged: 0, dataSources: 0 };
  const conflicts: string[] = [];
  for (const [index, body] of bodies.entries()) {
    const step = `request ${index + 1} of ${bodies.length} (${body.groups.length} groups)`;
    let answer: Awaited<ReturnType<Invocation['api']['call']>>;
    try {
      answer = await invocation.api.call({ method: 'POST', path: '/import', body });
    } catch (error) {
      throw interruptedImport(error, { step, file, applied, bodies, index });
    }
    const report = readAnswer(ImportReportSchema, answer, 'the import report');
    add(applied, report);
    for (const conflict of report.conflicts ?? [])
      conflicts.push(`${conflict.kind} ${conflict.id}: ${conflict.message}`);
    invocation.terminal.message(`${step}: ${describeReport(report)}`);
    emit(invocation, answer, () => undefined);
  }
  if (!invocation.json) invocation.terminal.data(`imported ${file}: ${describeTally(applied)}`);
  if (conflicts.length > 0) {
    throw new CliError(
      `${conflicts.length} item(s) were left as they are because they changed since the backup was read`,
      'see them with `moomoo groups get ID`; import a fresh export, or drop their "version" from the file to overwrite them',
      { detailLines: conflicts },
    );
  }
}

/**
 * Reads the backup document. Only what splitting needs is checked here (its envelope, group ids and dependencies):
 * the API validates every field of each request and names the bad ones.
 */
async function parseBackup(context: CliContext, file: string): Promise<Backup> {
  const raw = await readJsonFile(context, file);
  const hint = `make a backup with \`moomoo export -o FILE\`, or fix ${file}`;
  if (!isRecord(raw) || raw.format !== 'moomoo-markets.backup' || !Array.isArray(raw.groups)) {
    throw new CliError(`${file} is not a moomoo-markets backup (format, version and groups); nothing was sent`, hint);
  }
  const groups = raw.groups.map((group: unknown, index) => {
    if (!isRecord(group) || typeof group.id !== 'string') {
      throw new CliError(`${file}: groups[${index}] has no id; nothing was sent`, hint);
    }
    // The API defaults dependsOn to []; the splitter orders groups by it, so it needs it either way.
    return { ...group, dependsOn: Array.isArray(group.dependsOn) ? group.dependsOn : [] };
  });
  const dataSources = Array.isArray(raw.dataSources) ? raw.dataSources : [];
  return { ...raw, groups, dataSources } as Backup;
}

/** The request bodies of an import: the document split under the API's body limit, dependencies first. */
function importBodiesOf(document: Backup, file: string): Backup[] {
  try {
    return chunkBackup(document, maxBodyBytes);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new CliError(
      `${file} cannot be imported; nothing was sent`,
      `fix these in ${file} and run the command again`,
      {
        detailLines: error.issues.map((issue) => `${issue.path}: ${issue.message}`),
      },
    );
  }
}

/** A failure midway: exactly what the earlier requests (and the failed one, if it says) applied, and what to do. */
function interruptedImport(
  error: unknown,
  at: { step: string; file: string; applied: ImportTally; bodies: readonly Backup[]; index: number },
): CliError {
  if (!(error instanceof CliError)) return new CliError(String(error), 'run the import again');
  const partial = error instanceof ApiError ? ImportReportSchema.safeParse(error.details) : undefined;
  const applied = { ...at.applied };
  if (partial?.success === true) add(applied, partial.data);
  const notSent = at.bodies.slice(at.index + 1).reduce((sum, body) => sum + body.groups.length, 0);
  const detailLines = [
    ...error.detailLines.map((line) => translatePath(line, at.bodies[at.index])),
    at.index === 0 && partial?.success !== true
      ? 'nothing was applied'
      : `applied before it stopped: ${describeTally(applied)}`,
    ...(notSent === 0 ? [] : [`not sent: the ${notSent} groups of the requests after it`]),
  ];
  const hint =
    error instanceof ApiError && error.status === 400
      ? `fix what is named above in ${at.file}, then run \`moomoo import ${at.file}\` again: what is already applied is skipped`
      : `${error.hint}; then run \`moomoo import ${at.file}\` again: what is already applied is skipped, so it completes the import`;
  const status = error instanceof ApiError ? ` (${error.status} ${error.code})` : '';
  return new CliError(`the import stopped at ${at.step}: ${error.message}${status}`, hint, { detailLines });
}

/** `groups[3].schedule` of a request body names the group by id, since bodies are ordered apart from the file. */
function translatePath(line: string, body: Backup | undefined): string {
  return line.replace(/^groups\[(\d+)\]/, (whole, index: string) => {
    const id = body?.groups[Number(index)]?.id;
    return id === undefined ? whole : `group ${id}`;
  });
}

function add(tally: ImportTally, report: z.infer<typeof ImportReportSchema>): void {
  tally.created += report.created?.length ?? 0;
  tally.updated += report.updated?.length ?? 0;
  tally.unchanged += report.unchanged?.length ?? 0;
  tally.dataSources += report.dataSources?.length ?? 0;
}

function describeReport(report: z.infer<typeof ImportReportSchema>): string {
  const tally: ImportTally = { created: 0, updated: 0, unchanged: 0, dataSources: 0 };
  add(tally, report);
  const conflicts = report.conflicts?.length ?? 0;
  return `${describeTally(tally)}${conflicts === 0 ? '' : `, ${conflicts} conflicts`}`;
}

function describeTally(tally: ImportTally): string {
  return (
    `${tally.created} groups created, ${tally.updated} updated, ${tally.unchanged} unchanged, ` +
    `${tally.dataSources} data-source settings written`
  );
}

function countsOf(body: unknown): { groups: number; dataSources: number } {
  const record = isRecord(body) ? body : {};
  return {
    groups: Array.isArray(record.groups) ? record.groups.length : 0,
    dataSources: Array.isArray(record.dataSources) ? record.dataSources.length : 0,
  };
}
