/** Exit codes of `moomoo`: 0 only when everything asked for succeeded. */
export const exitCodes = {
  ok: 0,
  /** The API refused, the call failed, or a watched run or backfill did not succeed. */
  failed: 1,
  /** The command line itself is wrong: nothing was sent. */
  usage: 2,
} as const;

/** A failure the CLI explains: what went wrong, what to do next, and the exit code. */
export class CliError extends Error {
  /** What to do next, as one sentence. */
  readonly hint: string;
  readonly exitCode: number;
  /** Further lines shown under the message (the field issues of a 400). */
  readonly detailLines: readonly string[];

  constructor(
    message: string,
    hint: string,
    options: { exitCode?: number; detailLines?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.hint = hint;
    this.exitCode = options.exitCode ?? exitCodes.failed;
    this.detailLines = options.detailLines ?? [];
  }
}

/** A wrong command line: nothing was sent to the API. */
export class UsageError extends CliError {
  constructor(message: string, hint = 'see `moomoo <command> --help`') {
    super(message, hint, { exitCode: exitCodes.usage });
    this.name = 'UsageError';
  }
}

/** One bad field of a 400 answer. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** The admin API answered with an error body (design §5). */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly FieldIssue[];
  /** The error body's `details`, as sent. */
  readonly details: unknown;

  constructor(
    answer: { status: number; code: string; message: string; issues: readonly FieldIssue[]; details?: unknown },
    hint: string,
  ) {
    const detailLines = answer.issues.map((issue) => `${issue.path}: ${issue.message}`);
    // A 400 with one issue often says it in its message already.
    super(answer.message, hint, { detailLines: detailLines.filter((line) => line !== answer.message) });
    this.name = 'ApiError';
    this.status = answer.status;
    this.code = answer.code;
    this.issues = answer.issues;
    this.details = answer.details;
  }
}

/** The lines `moomoo` prints on stderr for a failure: the message, its details, then what to do next. */
export function describeFailure(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof CliError) {
    const suffix = error instanceof ApiError ? ` (${error.status} ${error.code})` : '';
    return {
      lines: [
        `moomoo: ${error.message}${suffix}`,
        ...error.detailLines.map((line) => `  ${line}`),
        `next: ${error.hint}`,
      ],
      exitCode: error.exitCode,
    };
  }
  const trace = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    lines: [`moomoo: unexpected failure: ${trace}`, 'next: this is a bug in moomoo: report it with the lines above'],
    exitCode: exitCodes.failed,
  };
}
