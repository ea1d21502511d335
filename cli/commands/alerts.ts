import type { Command } from 'commander';
import { AlertListSchema, readAnswer } from '#cli/api-shapes.ts';
import { type CliContext, emit, invocationOf } from '#cli/context.ts';
import { printTable } from '#cli/table.ts';

/** `moomoo alerts`: what needs an operator now (`GET /alerts`). */
export function registerAlertCommands(program: Command, context: CliContext): void {
  program
    .command('alerts')
    .description('open alerts: late groups, paused data sources, dead letters, calendar coverage, stuck runs')
    .action(async (_options: unknown, command: Command) => {
      const invocation = invocationOf(context, command);
      const answer = await invocation.api.call({ method: 'GET', path: '/alerts' });
      const { alerts } = readAnswer(AlertListSchema, answer, 'the alerts');
      emit(invocation, answer, () =>
        printTable(
          invocation.terminal,
          [
            { header: 'KIND', value: (alert) => alert.kind },
            { header: 'ALERT', value: (alert) => alert.message, shrinks: true },
          ],
          alerts,
          'no open alerts',
        ),
      );
    });
}
