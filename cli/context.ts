import { readFile, writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import { AdminApiClient, type ApiAnswer } from '#cli/api-client.ts';
import { authorizerFor, type RequestAuthorizer } from '#cli/auth.ts';
import { CliError, UsageError } from '#cli/errors.ts';
import { processTerminal, type Terminal } from '#cli/terminal.ts';

/** What every command works with; tests pass their own streams, environment, files and timers. */
export interface CliContext {
  readonly terminal: Terminal;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file; `-` is standard input. */
  readFile(path: string): Promise<string>;
  writeFile(path: string, contents: string): Promise<void>;
  /** Waits between polls of `watch`. */
  sleep(ms: number): Promise<void>;
  /** Replaces the authorizer chosen from the environment (tests). */
  readonly authorizer?: RequestAuthorizer;
  readonly fetch?: typeof fetch;
}

/** The context of this process. */
export function processContext(): CliContext {
  // `moomoo rows … | head` closes the pipe early: that ends the command quietly, as it does for any Unix tool.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  return {
    terminal: processTerminal(),
    env: process.env,
    readFile: (path) => (path === '-' ? text(process.stdin) : readFile(path, 'utf8')),
    writeFile: (path, contents) => writeFile(path, contents, 'utf8'),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** One command's view of its run: the API client, `--json`, and where output goes. */
export interface Invocation {
  readonly api: AdminApiClient;
  readonly json: boolean;
  readonly terminal: Terminal;
  readonly context: CliContext;
}

/** Global options, read from any command. */
interface GlobalOptions {
  url?: string;
  json?: boolean;
}

/** The invocation of `command`, from the global `--url`/`MOOMOO_URL` and `--json`. */
export function invocationOf(context: CliContext, command: Command): Invocation {
  const options = command.optsWithGlobals<GlobalOptions>();
  const baseUrl = adminUrlOf(options.url ?? context.env.MOOMOO_URL);
  const authorizer = context.authorizer ?? authorizerFor(baseUrl, context.env);
  return {
    api: new AdminApiClient({
      baseUrl,
      authorizer,
      ...(context.fetch === undefined ? {} : { fetch: context.fetch }),
    }),
    json: options.json === true,
    terminal: context.terminal,
    context,
  };
}

/** Parses the admin API's base URL; tells how to give one when it is missing or malformed. */
export function adminUrlOf(value: string | undefined): URL {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(
      'no admin API to talk to',
      'give --url or set MOOMOO_URL: the "Admin API:" line of `npm start`, or the AdminApiUrl output of the deployed stack',
    );
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`'${value}' is not a URL`, 'give --url or MOOMOO_URL as http(s)://host[:port]');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`'${value}' is not an http(s) URL`, 'give --url or MOOMOO_URL as http(s)://host[:port]');
  }
  return url;
}

/** With `--json`, the answer exactly as the API sent it; otherwise `render` shows it to a person. */
export function emit(invocation: Invocation, answer: ApiAnswer, render: () => void): void {
  if (invocation.json) {
    if (answer.text !== '') invocation.terminal.data(answer.text);
    return;
  }
  render();
}

/** Reads and parses a JSON file given to a command (`-f FILE`); `-` is standard input. */
export async function readJsonFile(context: CliContext, path: string): Promise<unknown> {
  let contents: string;
  try {
    contents = await context.readFile(path);
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as Error).message}`,
      'check the file name and that you may read it',
    );
  }
  try {
    return JSON.parse(contents);
  } catch (error) {
    throw new CliError(
      `${path} is not valid JSON: ${(error as Error).message}`,
      'fix the JSON and run the command again',
    );
  }
}
