import { styleText } from 'node:util';

/** A stream the CLI writes to: stdout or stderr, or a test's stand-in. */
export type OutputStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean;
  /** Width in characters, on a TTY. */
  readonly columns?: number;
};

/** What the CLI reads from its surroundings. */
export interface TerminalOptions {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

type Style = 'green' | 'red' | 'yellow' | 'dim' | 'bold';

/**
 * Where output goes and how it may look: data on stdout, messages and progress on stderr. Tables, colour and
 * redrawn progress only on a TTY; plain lines without escape codes otherwise. `NO_COLOR` turns colour off and
 * `TERM=dumb` turns off everything that moves the cursor.
 */
export class Terminal {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Data for a person (aligned tables with headers), not for a pipe (tab-separated lines). */
  readonly stdoutIsTty: boolean;
  /** Progress may be redrawn in place on stderr. */
  readonly canRedraw: boolean;
  private readonly colour: { stdout: boolean; stderr: boolean };

  constructor(options: TerminalOptions) {
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    const dumb = options.env.TERM === 'dumb';
    const noColour = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
    this.stdoutIsTty = options.stdout.isTTY === true;
    this.canRedraw = options.stderr.isTTY === true && !dumb;
    this.colour = {
      stdout: this.stdoutIsTty && !dumb && !noColour,
      stderr: options.stderr.isTTY === true && !dumb && !noColour,
    };
  }

  /** Writes data to stdout, one line per call. */
  data(line: string): void {
    this.stdout.write(`${line}\n`);
  }

  /** Writes a message to stderr, one line per call. */
  message(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  /** The text in a style when the stream shows colour, else the text unchanged. */
  style(style: Style, text: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
    return this.colour[stream] ? styleText(style, text, { validateStream: false }) : text;
  }

  /** Characters available on a stdout line, when it is a TTY that says. */
  get width(): number | undefined {
    const columns = this.stdoutIsTty ? this.stdout.columns : undefined;
    // A pseudo-terminal without a size reports 0 columns: no width, rather than columns of nothing.
    return columns !== undefined && columns > 0 ? columns : undefined;
  }
}

/** The terminal of this process. */
export function processTerminal(): Terminal {
  return new Terminal({ stdout: process.stdout, stderr: process.stderr, env: process.env });
}
