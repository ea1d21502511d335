import { InvalidArgumentError } from 'commander';
import { UsageError } from '#cli/errors.ts';

/**
 * Parsers for option values, checked before anything is sent: commander reports what they throw as
 * `option '--from <date>' argument 'x' is invalid. <reason>`.
 */

/** A calendar date `YYYY-MM-DD` that exists. */
export function parseDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match === null ? undefined : new Date(`${value}T00:00:00Z`);
  if (date === undefined || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('give a date as YYYY-MM-DD, e.g. 2026-11-27.');
  }
  return value;
}

/** An ISO 8601 instant with its offset, e.g. `2026-12-01T00:00:00+09:00`. */
export function parseInstant(value: string): string {
  const withOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value);
  if (!withOffset || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('give an instant with its offset, e.g. 2026-12-01T00:00:00+09:00.');
  }
  return value;
}

/** A whole number within `[min, max]`. */
export function integerBetween(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`give a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

/** Checks that `--from` is not after `--to`. */
export function checkRange(from: string, to: string): void {
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`, 'give --from on or before --to');
}

/** Options that must be given together, e.g. `--limit` with `--per`; `example` shows them right. */
export function requireTogether<Options extends object>(
  options: Options,
  names: readonly (keyof Options & string)[],
  example: string,
): void {
  const given = names.filter((name) => options[name] !== undefined);
  if (given.length > 0 && given.length < names.length) {
    const flags = names.map((name) => `--${name}`).join(' and ');
    throw new UsageError(`${flags} go together`, `give both, e.g. ${example}`);
  }
}
