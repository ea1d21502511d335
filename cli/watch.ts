import type { ApiAnswer } from '#cli/api-client.ts';
import type { Invocation } from '#cli/context.ts';
import { ApiError, CliError } from '#cli/errors.ts';
import { type ProgressSnapshot, progressDisplay } from '#cli/progress.ts';

/** How a watched thing stands after one poll. */
export type WatchVerdict =
  | { readonly state: 'going' }
  | { readonly state: 'succeeded'; readonly summary: string }
  | { readonly state: 'failed'; readonly error: CliError };

/** What `watch` needs to follow one run or backfill. */
export interface WatchTarget<T> {
  /** `run <id>`, `backfill <id>`: names it in progress lines. */
  readonly subject: string;
  poll(): Promise<ApiAnswer>;
  read(answer: ApiAnswer): T;
  snapshot(item: T): ProgressSnapshot;
  verdict(item: T): WatchVerdict;
}

/** Consecutive failed polls (network, 5xx) tolerated before giving up. */
const maxPollFailures = 3;

/**
 * Polls until the target finishes, drawing its progress on stderr. On success prints a summary line on stdout
 * (with `--json`, the final answer exactly); otherwise throws the verdict's error, so the exit code is non-zero.
 */
export async function watch<T>(
  invocation: Invocation,
  target: WatchTarget<T>,
  options: { intervalMs: number },
): Promise<void> {
  const display = progressDisplay(invocation.terminal, target.subject);
  let failures = 0;
  try {
    for (;;) {
      let answer: ApiAnswer;
      try {
        answer = await target.poll();
        failures = 0;
      } catch (error) {
        failures += 1;
        if (!isTransient(error) || failures >= maxPollFailures) throw error;
        invocation.terminal.message(`${target.subject}: poll failed (${(error as Error).message}); trying again`);
        await invocation.context.sleep(options.intervalMs);
        continue;
      }
      const item = target.read(answer);
      display.update(target.snapshot(item));
      const verdict = target.verdict(item);
      if (verdict.state !== 'going') {
        display.stop();
        if (invocation.json) invocation.terminal.data(answer.text);
        if (verdict.state === 'failed') throw verdict.error;
        if (!invocation.json) invocation.terminal.data(invocation.terminal.style('green', verdict.summary));
        return;
      }
      await invocation.context.sleep(options.intervalMs);
    }
  } finally {
    display.stop();
  }
}

function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429;
  return error instanceof CliError;
}
