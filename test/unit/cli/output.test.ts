import { describe, expect, it } from 'vitest';
import { formatSeconds, progressDisplay, progressLine } from '#cli/progress.ts';
import { displayWidth, formatTable, printRecord } from '#cli/table.ts';
import { capturedTerminal } from '#test/fixtures/cli-harness.ts';

const columns = [
  { header: 'CODE', value: (row: { code: string; name: string; close: number }) => row.code },
  { header: 'NAME', value: (row: { name: string }) => row.name, shrinks: true },
  { header: 'CLOSE', value: (row: { close: number }) => String(row.close), alignRight: true },
];
const rows = [
  { code: '72030', name: 'トヨタ自動車', close: 2850 },
  { code: '130A0', name: 'Veritas\tIn Silico', close: 12 },
];

describe('tables', () => {
  it('aligns columns under a header for a person, counting wide characters as two', () => {
    expect(formatTable(columns, rows, { forPerson: true })).toEqual([
      'CODE   NAME               CLOSE',
      '72030  トヨタ自動車        2850',
      '130A0  Veritas In Silico     12',
    ]);
    expect(displayWidth('トヨタ')).toBe(6);
  });

  it('gives a pipe tab-separated cells, no header, nothing cut', () => {
    expect(formatTable(columns, rows, { forPerson: false })).toEqual([
      '72030\tトヨタ自動車\t2850',
      '130A0\tVeritas In Silico\t12',
    ]);
  });

  it('cuts the shrinking column with an ellipsis to fit the terminal width', () => {
    const lines = formatTable(columns, rows, { forPerson: true, width: 26 });
    expect(lines[2]).toBe('130A0  Veritas In…      12');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(26);
  });

  it('prints a record as field and value lines, objects as compact JSON and nothing as -', () => {
    const { terminal, stdout } = capturedTerminal({ tty: true });
    printRecord(terminal, { id: 'daily-bars', pause: null, dependsOn: ['calendar'] });
    expect(stdout.text).toBe('id         daily-bars\npause      -\ndependsOn  ["calendar"]\n');
  });
});

describe('terminal decisions', () => {
  it('colours only a TTY, and not with NO_COLOR', () => {
    expect(capturedTerminal({ tty: true }).terminal.style('red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(capturedTerminal({ tty: false }).terminal.style('red', 'x')).toBe('x');
    expect(capturedTerminal({ tty: true, env: { NO_COLOR: '1' } }).terminal.style('red', 'x')).toBe('x');
  });

  it('redraws progress only on a TTY that is not dumb', () => {
    expect(capturedTerminal({ tty: true }).terminal.canRedraw).toBe(true);
    expect(capturedTerminal({ tty: true, env: { TERM: 'dumb' } }).terminal.canRedraw).toBe(false);
    expect(capturedTerminal({ tty: false }).terminal.canRedraw).toBe(false);
  });

  it('prints one plain line per change of progress off a TTY', () => {
    const { terminal, stderr } = capturedTerminal({ tty: false });
    const display = progressDisplay(terminal, 'run r1');
    const snapshot = { status: 'running', done: 1, total: 3, details: ['0 failed'] };
    display.update(snapshot);
    display.update(snapshot);
    display.update({ ...snapshot, done: 3, status: 'succeeded' });
    display.stop();
    expect(stderr.text).toBe('run r1: running 1/3 jobs, 0 failed\nrun r1: succeeded 3/3 jobs, 0 failed\n');
  });

  it('draws a bar on a TTY, empty while the total is unknown', () => {
    const { terminal, stderr } = capturedTerminal({ tty: true });
    const display = progressDisplay(terminal, 'run r1');
    display.update({ status: 'dispatching', done: 0, total: 0, details: [] });
    display.stop();
    expect(stderr.text).toContain('run r1 dispatching [------------------------] 0/1 jobs');
  });

  it('formats progress lines and durations', () => {
    expect(progressLine('backfill b', { status: 'running', done: 2, total: 4, details: ['ETA 3m 20s'] })).toBe(
      'backfill b: running 2/4 jobs, ETA 3m 20s',
    );
    expect([formatSeconds(45), formatSeconds(200), formatSeconds(3725)]).toEqual(['45s', '3m 20s', '1h 02m']);
  });
});
