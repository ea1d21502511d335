/**
 * One field of a 5-field cron, read into the set of values it matches. Only standard cron syntax is accepted
 * (`*`, numbers, names, `a-b`, `*\/n`, `a-b/n`, lists, and `L` alone in day-of-month): anything else is refused
 * here rather than guessed at, because the same field must mean the same thing to croner and to AWS.
 */
import { ValidationError } from '#shared/domain/errors.ts';

/** The name, bounds and accepted names of one cron field. */
export interface CronFieldSpec {
  readonly name: 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';
  readonly min: number;
  /** Highest value written; day-of-week accepts 7 as a second Sunday. */
  readonly max: number;
  /** Highest value `*` stands for (6 for day-of-week, so `*\/2` does not count Sunday twice). */
  readonly wildcardMax: number;
  readonly names: readonly string[];
  /** Value of `names[0]`. */
  readonly firstNameValue: number;
}

/** What one field matches: sorted distinct values, or the last day of the month. */
export interface CronFieldValues {
  readonly values: readonly number[];
  readonly last: boolean;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Weekday names in standard cron order, Sunday = 0. */
export const WEEKDAY_NAMES: readonly string[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const spec = (
  name: CronFieldSpec['name'],
  min: number,
  max: number,
  extra?: Partial<CronFieldSpec>,
): CronFieldSpec => ({
  name,
  min,
  max,
  wildcardMax: max,
  names: [],
  firstNameValue: min,
  ...extra,
});

/** The five fields, in the order they are written. */
export const CRON_FIELDS = [
  spec('minute', 0, 59),
  spec('hour', 0, 23),
  spec('day-of-month', 1, 31),
  spec('month', 1, 12, { names: MONTH_NAMES, firstNameValue: 1 }),
  spec('day-of-week', 0, 7, { wildcardMax: 6, names: WEEKDAY_NAMES, firstNameValue: 0 }),
] as const;

const ITEM = /^(?<base>\*|[A-Z0-9]+(?:-[A-Z0-9]+)?)(?:\/(?<step>[^/]*))?$/;

/** Reads one field (already upper-cased) into the values it matches; throws ValidationError (path 'schedule'). */
export function parseCronField(field: CronFieldSpec, text: string): CronFieldValues {
  const fail = (message: string): never => {
    throw ValidationError.of('schedule', `${field.name}: ${message}`);
  };
  rejectUnsupported(field, text, fail);
  if (text === 'L') return { values: [], last: true };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail(`empty list item in '${text}'`);
    const match = ITEM.exec(item);
    const base = match?.groups?.base;
    if (base === undefined) return fail(`cannot read '${item}'`);
    const stepText = match?.groups?.step;
    const size = field.wildcardMax - field.min + 1;
    if (stepText === '') fail(`missing step after '/' in '${item}'`);
    const step = stepText === undefined ? 1 : readNumber(stepText, fail);
    if (step < 1 || step > size) fail(`step ${step} is out of range 1-${size}`);
    const [from, to] = readRange(field, base, item, stepText !== undefined, fail);
    for (let value = from; value <= to; value += step) values.add(field.name === 'day-of-week' ? value % 7 : value);
  }
  return { values: [...values].sort((a, b) => a - b), last: false };
}

function rejectUnsupported(field: CronFieldSpec, text: string, fail: (message: string) => never): void {
  if (text.includes('?')) fail(`'?' is not supported in 5-field cron; use * instead`);
  if (text.includes('#')) fail(`'#' (nth weekday) is not supported`);
  if (field.name === 'day-of-month') {
    if (/\dW|^W|LW/.test(text)) fail(`'W' (nearest weekday) is not supported`);
    if (text !== 'L' && text.split(/[,\-/]/).includes('L')) fail(`'L' must stand alone in day-of-month`);
  } else if (field.name === 'day-of-week' && /(^|[,\-\d])L/.test(text)) {
    fail(`'L' (last weekday) is not supported in day-of-week`);
  }
}

function readRange(
  field: CronFieldSpec,
  base: string,
  item: string,
  stepped: boolean,
  fail: (message: string) => never,
): [number, number] {
  if (base === '*') return [field.min, field.wildcardMax];
  const [fromText = '', toText] = base.split('-');
  const from = readValue(field, fromText, fail);
  if (toText === undefined) {
    if (stepped) fail(`'${item}' needs a range before the step (e.g. ${fromText}-${field.max}/…, or */…)`);
    return [from, from];
  }
  const to = readValue(field, toText, fail);
  if (from > to) fail(`range '${base}' is reversed; write the lower bound first`);
  return [from, to];
}

function readValue(field: CronFieldSpec, text: string, fail: (message: string) => never): number {
  if (/^[A-Z]+$/.test(text)) {
    const index = field.names.indexOf(text);
    if (index >= 0) return field.firstNameValue + index;
    if (field.names.length === 0) fail(`'${text}' is not a number`);
    const first = field.names[0] ?? '';
    const last = field.names[field.names.length - 1] ?? '';
    fail(`unknown name '${text}' (use ${first}-${last} or ${field.min}-${field.max})`);
  }
  const value = readNumber(text, fail);
  if (value < field.min || value > field.max) fail(`${value} is out of range ${field.min}-${field.max}`);
  return value;
}

function readNumber(text: string, fail: (message: string) => never): number {
  if (!/^\d+$/.test(text)) fail(`'${text}' is not a number`);
  return Number(text);
}
