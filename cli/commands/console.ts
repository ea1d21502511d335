import type { Command } from 'commander';
import { integerBetween } from '#cli/arguments.ts';
import { startConsoleProxy } from '#cli/console-proxy.ts';
import { type CliContext, invocationOf } from '#cli/context.ts';
import { CliError } from '#cli/errors.ts';

/**
 * `moomoo console`: the web console of a deployed admin API (IAM auth) on 127.0.0.1, its API calls signed with the
 * user's AWS credentials (or the sandbox's token, with MOOMOO_TOKEN). Runs until Ctrl-C.
 */
export function registerConsoleCommand(program: Command, context: CliContext): void {
  program
    .command('console')
    .description('serve the web console on 127.0.0.1, signing its API calls; prints a one-time login URL')
    .option('--port <n>', 'local port (default: a free one)', integerBetween(0, 65_535))
    .action(async (options: { port?: number }, command: Command) => {
      const invocation = invocationOf(context, command);
      const { baseUrl, authorizer } = invocation.api;
      // Fails early, with the API's own words, when the URL or the credentials are wrong.
      const page = await invocation.api.call({ method: 'GET', path: '/', headers: { accept: 'text/html' } });
      if (!(page.headers.get('content-type') ?? '').startsWith('text/html')) {
        throw new CliError(
          `${baseUrl.origin} answered GET / without the console page`,
          'check --url: it must be the AdminApiUrl output of the deployed stack (or the Admin API line of npm start)',
        );
      }
      const proxy = await startConsoleProxy({
        target: baseUrl,
        authorizer,
        port: options.port ?? 0,
        ...(context.fetch === undefined ? {} : { fetch: context.fetch }),
      });
      invocation.terminal.message(
        `serving the console of ${baseUrl.origin} on ${proxy.url}, signing with ${authorizer.description}`,
      );
      invocation.terminal.message('open the login URL below in your browser; it works once. Ctrl-C stops the console');
      invocation.terminal.data(`Console: ${proxy.loginUrl}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await proxy.close();
      invocation.terminal.message('console stopped');
    });
}
