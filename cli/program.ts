import { Command } from 'commander';
import { registerAlertCommands } from '#cli/commands/alerts.ts';
import { registerBackfillCommands } from '#cli/commands/backfill.ts';
import { registerBackupCommands } from '#cli/commands/backup.ts';
import { registerConsoleCommand } from '#cli/commands/console.ts';
import { registerDataSourceCommands } from '#cli/commands/data-sources.ts';
import { registerDeadLetterCommands } from '#cli/commands/dead-letters.ts';
import { registerGroupCommands } from '#cli/commands/groups.ts';
import { registerRowCommands } from '#cli/commands/rows.ts';
import { registerRunCommands } from '#cli/commands/runs.ts';
import type { CliContext } from '#cli/context.ts';
import packageJson from '../package.json' with { type: 'json' };

const environmentHelp = `
Environment:
  MOOMOO_URL     the admin API (as --url): the "Admin API:" line of npm start, or the deployed AdminApiUrl
  MOOMOO_TOKEN   the sandbox's bearer token (the "Admin token:" line of npm start); without it requests are
                 signed with SigV4 (service lambda) using the standard AWS credentials (AWS_PROFILE, SSO, keys)
  AWS_REGION     the region to sign for, when the URL does not name it (<id>.lambda-url.<region>.on.aws)
  NO_COLOR       no colour

Output: tables on a terminal, tab-separated lines in a pipe, the API's own JSON with --json; messages and
progress go to stderr. Exit codes: 0 success, 1 failure (the API refused, or a watched run or backfill did
not succeed), 2 a wrong command line.

Examples:
  export MOOMOO_URL=http://127.0.0.1:3000 MOOMOO_TOKEN=<token>
  moomoo groups create -f daily-bars.json
  moomoo groups run daily-bars --watch
  moomoo runs jobs <run-id> --status failed --json
  moomoo console --url <AdminApiUrl>     # the web console on 127.0.0.1, signed with your AWS credentials`;

/** The `moomoo` command tree (design §7), every command a thin call to an admin API route. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('moomoo')
    .description('Operate moomoo-markets through its admin API: job groups, runs, backfills, data sources, backups')
    .version(packageJson.version, '-V, --version')
    .option('--url <url>', 'admin API URL (default: MOOMOO_URL)')
    .option('--json', "print the API's JSON exactly, for scripts")
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => context.terminal.stdout.write(text),
      writeErr: (text) => context.terminal.stderr.write(text),
    })
    .exitOverride()
    .addHelpText('after', environmentHelp);
  registerGroupCommands(program, context);
  registerRunCommands(program, context);
  registerBackfillCommands(program, context);
  registerDeadLetterCommands(program, context);
  registerDataSourceCommands(program, context);
  registerRowCommands(program, context);
  registerBackupCommands(program, context);
  registerAlertCommands(program, context);
  registerConsoleCommand(program, context);
  return program;
}
