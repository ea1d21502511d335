import cliProgress from 'cli-progress';
import type { Terminal } from '#cli/terminal.ts';

/** Where a watched run or backfill stands. */
export interface ProgressSnapshot {
  /** Its status word, e.g. `running`. */
  readonly status: string;
  /** Jobs finished, succeeded or failed. */
  readonly done: number;
  /** Jobs in all (0 while they are not known yet). */
  readonly total: number;
  /** Further facts, each short: `2 failed`, `14 requests`, `ETA 3m 20s`. */
  readonly details: readonly string[];
}

/** Shows progress on stderr: redrawn in place on a TTY, one plain line per change otherwise. */
export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void;
  /** Leaves the last state on screen and ends redrawing. */
  stop(): void;
}

/** A bar (cli-progress) on a terminal that can redraw, plain lines anywhere else. */
export function progressDisplay(terminal: Terminal, subject: string): ProgressDisplay {
  return terminal.canRedraw ? new BarDisplay(terminal, subject) : new LineDisplay(terminal, subject);
}

/** One plain line for a snapshot, as printed off a TTY: `run X: running 3/10 jobs, 1 failed, 14 requests`. */
export function progressLine(subject: string, snapshot: ProgressSnapshot): string {
  return [`${subject}: ${snapshot.status} ${snapshot.done}/${snapshot.total} jobs`, ...snapshot.details].join(', ');
}

class LineDisplay implements ProgressDisplay {
  private readonly terminal: Terminal;
  private readonly subject: string;
  private last: string | undefined;

  constructor(terminal: Terminal, subject: string) {
    this.terminal = terminal;
    this.subject = subject;
  }

  update(snapshot: ProgressSnapshot): void {
    const line = progressLine(this.subject, snapshot);
    if (line === this.last) return;
    this.last = line;
    this.terminal.message(line);
  }

  stop(): void {}
}

class BarDisplay implements ProgressDisplay {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(terminal: Terminal, subject: string) {
    this.bar = new cliProgress.SingleBar({
      stream: terminal.stderr,
      format: `${subject} {status} [{bar}] {value}/{total} jobs{details}`,
      barsize: 24,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      hideCursor: false,
      linewrap: false,
      fps: 5,
      etaBuffer: 1,
    });
  }

  update(snapshot: ProgressSnapshot): void {
    const payload = {
      status: snapshot.status,
      details: snapshot.details.length === 0 ? '' : ` | ${snapshot.details.join(' | ')}`,
    };
    // A total of 0 would draw a full bar: show an empty one until the jobs are known.
    const total = Math.max(snapshot.total, 1);
    if (!this.started) {
      this.bar.start(total, snapshot.done, payload);
      this.started = true;
      return;
    }
    this.bar.setTotal(total);
    this.bar.update(snapshot.done, payload);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

/** Seconds as `1h 02m`, `3m 20s` or `45s`. */
export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** A count with thousands separators: `12,345`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
