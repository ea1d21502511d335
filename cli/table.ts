import type { Terminal } from '#cli/terminal.ts';

/** One column of a table: its header and how to read a cell from a row. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Right-align (numbers). @default false */
  readonly alignRight?: boolean;
  /** This column gives up width first when the terminal is too narrow. @default false */
  readonly shrinks?: boolean;
}

/** Cells longer than this are cut on a TTY unless the column shrinks to the terminal instead. */
const maxCellWidth = 60;

/**
 * A table as lines. For a person (TTY): a header and columns aligned with two spaces, long cells cut with `…` to fit
 * `width`. For a pipe: tab-separated cells, no header, nothing cut, so `cut -f` and `awk -F'\t'` read it.
 */
export function formatTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  options: { forPerson: boolean; width?: number },
): string[] {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row))));
  if (!options.forPerson) return cells.map((line) => line.join('\t'));
  const widths = columns.map((column, index) =>
    Math.min(
      Math.max(column.header.length, ...cells.map((line) => displayWidth(line[index] ?? ''))),
      column.shrinks === true ? Number.POSITIVE_INFINITY : maxCellWidth,
    ),
  );
  fitToWidth(columns, widths, options.width);
  const render = (line: readonly string[]): string =>
    line
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        const text = truncate(cell, width);
        const padding = ' '.repeat(Math.max(0, width - displayWidth(text)));
        if (index === line.length - 1 && columns[index]?.alignRight !== true) return text;
        return columns[index]?.alignRight === true ? padding + text : text + padding;
      })
      .join('  ');
  return [render(columns.map((column) => column.header)), ...cells.map(render)];
}

/** Prints a table on stdout (see `formatTable`), or `empty` on stderr when there are no rows. */
export function printTable<Row>(
  terminal: Terminal,
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  empty: string,
): void {
  if (rows.length === 0) {
    terminal.message(empty);
    return;
  }
  const lines = formatTable(columns, rows, {
    forPerson: terminal.stdoutIsTty,
    ...(terminal.width === undefined ? {} : { width: terminal.width }),
  });
  for (const line of lines) terminal.data(line);
}

/**
 * Prints one record as `field  value` lines (objects as compact JSON), in the record's own field order; tab-separated
 * off a TTY.
 */
export function printRecord(terminal: Terminal, record: unknown): void {
  const fields = typeof record === 'object' && record !== null && !Array.isArray(record) ? record : { value: record };
  const rows = Object.entries(fields).map(([field, value]) => ({ field, value: cellOf(value) }));
  const lines = formatTable(
    [
      { header: 'FIELD', value: (row: { field: string }) => row.field },
      { header: 'VALUE', value: (row: { value: string }) => row.value, shrinks: true },
    ],
    rows,
    { forPerson: terminal.stdoutIsTty, ...(terminal.width === undefined ? {} : { width: terminal.width }) },
  );
  // A record reads better without the FIELD/VALUE header.
  for (const line of terminal.stdoutIsTty ? lines.slice(1) : lines) terminal.data(line);
}

/** A value as one table cell: text as is, nothing as `-`, objects as compact JSON. */
export function cellOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function fitToWidth<Row>(columns: readonly Column<Row>[], widths: number[], width: number | undefined): void {
  if (width === undefined) return;
  const total = (): number => widths.reduce((sum, value) => sum + value, 0) + 2 * (widths.length - 1);
  for (const [index, column] of columns.entries()) {
    if (column.shrinks !== true) continue;
    const excess = total() - width;
    if (excess <= 0) return;
    widths[index] = Math.max(column.header.length, 10, (widths[index] ?? 0) - excess);
  }
}

function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const characters = [...text];
  let result = '';
  for (const character of characters) {
    if (displayWidth(result + character) > width - 1) break;
    result += character;
  }
  return `${result.trimEnd()}…`;
}

function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

/** Columns a string takes in a terminal: East Asian wide characters (issue names) take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}
