import { describe, expect, it } from 'vitest';
import {
  toBooleanOrNull,
  toCode,
  toNumberOrNull,
  toSector33Code,
  toTextOrNull,
  UnreadableValueError,
} from '#shared/data-sources/jquants/normalise.ts';

describe('toNumberOrNull', () => {
  it.each([
    [null, null],
    ['', null],
    ['-', null],
    ['*', null],
    ['100529000000', 100_529_000_000],
    ['66.76', 66.76],
    ['-4998728000000', -4_998_728_000_000],
    ['0.004', 0.004],
    ['1e3', 1000],
    [2047.0, 2047],
    [0, 0],
  ])('reads %j as %j', (value, expected) => {
    expect(toNumberOrNull(value, 'Sales')).toBe(expected);
  });

  it.each([['abc'], ['12,345'], [' 12'], ['0x10'], ['Infinity'], [true], [{}], [[1]]])(
    'refuses %j with an unreadable-value error naming the field',
    (value) => {
      expect(() => toNumberOrNull(value, 'EPS')).toThrow(UnreadableValueError);
      expect(() => toNumberOrNull(value, 'EPS')).toThrow(
        /^EPS: got .*; expected a number, a numeric string or a blank$/,
      );
    },
  );
});

describe('toBooleanOrNull', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['', null],
    [null, null],
    [true, true],
  ])('reads %j as %j', (value, expected) => {
    expect(toBooleanOrNull(value, 'MatChgSub')).toBe(expected);
  });

  it('refuses anything else, naming the field', () => {
    expect(() => toBooleanOrNull('yes', 'RetroRst')).toThrow(/RetroRst/);
  });

  it('quotes no more than the first 40 characters of a value it refuses', () => {
    expect(() => toBooleanOrNull('y'.repeat(500), 'RetroRst')).toThrow(/^RetroRst: got "y{39}…; expected/);
  });
});

describe('toTextOrNull', () => {
  it('keeps flags as strings and turns blanks into null', () => {
    expect(toTextOrNull('0', 'UL')).toBe('0');
    expect(toTextOrNull(1, 'IssType')).toBe('1');
    expect(toTextOrNull('-', 'PayDate')).toBeNull();
    expect(toTextOrNull('', 'CARefNo')).toBeNull();
  });
});

describe('codes', () => {
  it('keeps issue and index codes exactly as sent, letters and leading zeros included', () => {
    expect(toCode('130A0', 'Code')).toBe('130A0');
    expect(toCode('86970', 'Code')).toBe('86970');
    expect(toCode('0000', 'Code')).toBe('0000');
  });

  it.each([[72030], ['7203 '], ['72-30'], [''], [null]])('refuses %j as a code', (value) => {
    expect(() => toCode(value, 'Code')).toThrow(UnreadableValueError);
  });

  it('writes a 33-sector code with 4 digits', () => {
    expect(toSector33Code('50', 'S33')).toBe('0050');
    expect(toSector33Code('9999', 'S33')).toBe('9999');
    expect(() => toSector33Code(50, 'S33')).toThrow(/S33/);
  });
});
