/**
 * Normalisation of J-Quants wire values (jquants-v2.md §4): numeric columns arrive as JSON numbers, numeric strings or
 * one of the blank markers, codes are strings that may hold letters. Every helper names the upstream field in the
 * UnreadableValueError it throws for a value it cannot read.
 */

/**
 * A wire value a helper cannot read. It is about one row, not the answer: the row mapper reports the row as rejected
 * and the rest of the page is kept. The message names the field and quotes at most the start of the value.
 */
export class UnreadableValueError extends Error {
  override readonly name = 'UnreadableValueError';
  /** The upstream field, e.g. `Sales`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** `""` (not set), `"-"` (undetermined / not published) and `"*"` (not applicable, e.g. ETFs) all mean "no value". */
const blankMarkers: ReadonlySet<unknown> = new Set([null, '', '-', '*']);

/** A plain decimal: J-Quants never sends hex, `Infinity`, thousands separators or padding. */
const numericPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** An issue code (`72030`, `130A0`, `7203`) or an index code (`0000`, `002A`). */
const codePattern = /^[0-9A-Z]{4,5}$/;

/** True for `null`, `""`, `"-"` and `"*"`: the upstream's ways of saying "no value". */
export function isBlank(value: unknown): boolean {
  return blankMarkers.has(value);
}

/** A number, or null for a blank; throws UnreadableValueError naming `field` for anything else. */
export function toNumberOrNull(value: unknown, field: string): number | null {
  if (isBlank(value)) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && numericPattern.test(value)) return Number(value);
  throw unreadable(value, field, 'a number, a numeric string or a blank');
}

/** `"true"`/`"false"` (or JSON booleans) as a boolean, null for a blank; throws for anything else. */
export function toBooleanOrNull(value: unknown, field: string): boolean | null {
  if (isBlank(value)) return null;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw unreadable(value, field, '"true", "false" or a blank');
}

/** A string kept as sent (flags, names, dates), null for a blank; a number becomes its string (`0` → `"0"`). */
export function toTextOrNull(value: unknown, field: string): string | null {
  if (isBlank(value)) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw unreadable(value, field, 'a string');
}

/** A string that must be present, kept exactly as sent (`""` included): names and categories. */
export function toText(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  throw unreadable(value, field, 'a string');
}

/**
 * An issue or index code exactly as J-Quants sends it: a 4–5 character string of digits and upper-case letters
 * (`86970`, `130A0`, `0000`). Stored codes are the API's own 5-character strings, so nothing is padded; a JSON
 * number is refused because it cannot carry letters or leading zeros.
 */
export function toCode(value: unknown, field: string): string {
  if (typeof value === 'string' && codePattern.test(value)) return value;
  throw unreadable(value, field, 'a code of 4–5 digits or upper-case letters');
}

/** A 33-sector code as its 4-digit string: J-Quants writes `"0050"`, and `"50"` means the same sector. */
export function toSector33Code(value: unknown, field: string): string {
  if (typeof value === 'string' && /^\d{1,4}$/.test(value)) return value.padStart(4, '0');
  throw unreadable(value, field, 'a 33-sector code of up to 4 digits');
}

const previewLength = 40;

function unreadable(value: unknown, field: string, expected: string): UnreadableValueError {
  return new UnreadableValueError(field, `${field}: got ${preview(value)}; expected ${expected}`);
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > previewLength ? `${text.slice(0, previewLength)}…` : text;
}
