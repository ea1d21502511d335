import { CommanderError } from 'commander';
import { type CliContext, processContext } from '#cli/context.ts';
import { describeFailure, exitCodes } from '#cli/errors.ts';
import { buildProgram } from '#cli/program.ts';

/** Runs `moomoo` with `argv` (`process.argv` shape) and resolves with its exit code; never throws. */
export async function main(argv: readonly string[], context: CliContext = processContext()): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv]);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.ok;
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    const failure = describeFailure(error);
    for (const [index, line] of failure.lines.entries()) {
      context.terminal.message(index === 0 ? context.terminal.style('red', line, 'stderr') : line);
    }
    return failure.exitCode;
  }
}
