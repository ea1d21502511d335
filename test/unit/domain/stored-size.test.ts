import { describe, expect, it } from 'vitest';
import { jobGroupSizeIssue, maxJobGroupItemBytes } from '#shared/domain/job-group-size.ts';
import { storedItemBytes, storedValueBytes } from '#shared/domain/stored-size.ts';
import { aJobGroup } from '#test/fixtures/builders.ts';

// Each expectation is worked out by hand from the rules in CapacityUnitCalculations.html: name bytes + value bytes.
describe('storedItemBytes', () => {
  it('counts attribute names and string values in UTF-8 bytes', () => {
    expect(storedItemBytes({ id: 'abc' })).toBe(2 + 3);
    // é is 2 bytes, 日 3, 😀 (a surrogate pair) 4.
    expect(storedItemBytes({ name: 'é日😀' })).toBe(4 + 2 + 3 + 4);
    expect(storedItemBytes({ 名前: 'x' })).toBe(6 + 1);
  });

  it('counts a number as one byte per two significant digits plus one', () => {
    expect(storedItemBytes({ n: 123 })).toBe(1 + 2 + 1);
    // Leading and trailing zeros are not significant.
    expect(storedItemBytes({ n: 1200 })).toBe(1 + 1 + 1);
    expect(storedItemBytes({ n: 0.00012 })).toBe(1 + 1 + 1);
    expect(storedItemBytes({ n: -12345.678 })).toBe(1 + 4 + 1);
    expect(storedItemBytes({ n: 1e21 })).toBe(1 + 1 + 1);
    expect(storedItemBytes({ n: 12345678901234567890n })).toBe(1 + 10 + 1);
  });

  it('counts a boolean and a null as one byte', () => {
    expect(storedItemBytes({ a: true, b: null })).toBe(1 + 1 + (1 + 1));
  });

  it('counts a list as three bytes plus one per element plus the elements', () => {
    expect(storedItemBytes({ l: [] })).toBe(1 + 3);
    expect(storedItemBytes({ l: ['ab', 1] })).toBe(1 + 3 + (1 + 2) + (1 + 2));
  });

  it('counts a map as three bytes plus one per entry plus each key and value', () => {
    expect(storedItemBytes({ m: {} })).toBe(1 + 3);
    expect(storedItemBytes({ m: { k: 'v', e: {} } })).toBe(1 + 3 + (1 + 1 + 1) + (1 + 1 + 3));
  });

  it('counts a nested template as the document client stores it', () => {
    const template = { code: { $each: ['72030', '130A0'] }, date: '{{businessDate}}' };
    const each = 3 + (1 + 5) + (1 + 5);
    const code = 3 + (1 + 5 + each);
    const date = 1 + 4 + 16;
    expect(storedItemBytes({ parametersTemplate: template })).toBe(18 + 3 + (1 + 4 + code) + date);
  });

  it('leaves out undefined attributes and entries, which the document client drops', () => {
    expect(storedItemBytes({ a: undefined, b: 'x', m: { u: undefined }, l: [undefined] })).toBe(2 + 4 + 4);
  });

  it('counts binary by its raw bytes and a set by its elements', () => {
    expect(storedItemBytes({ b: new Uint8Array(10) })).toBe(1 + 10);
    expect(storedItemBytes({ s: new Set(['ab', 'c']) })).toBe(1 + 3);
  });

  it('refuses values DynamoDB cannot store', () => {
    expect(() => storedValueBytes(Number.NaN)).toThrow(TypeError);
    expect(() => storedValueBytes(new Date(0))).toThrow(TypeError);
  });
});

describe('jobGroupSizeIssue', () => {
  it('accepts a group at the budget and reports one a byte over it on parametersTemplate', () => {
    const base = aJobGroup({ parametersTemplate: { note: '' } });
    const padding = maxJobGroupItemBytes - storedItemBytes(base);
    expect(jobGroupSizeIssue(aJobGroup({ parametersTemplate: { note: 'x'.repeat(padding) } }))).toBeUndefined();
    const issue = jobGroupSizeIssue(aJobGroup({ parametersTemplate: { note: 'x'.repeat(padding + 1) } }));
    expect(issue?.path).toBe('parametersTemplate');
    expect(issue?.message).toContain(`${(maxJobGroupItemBytes + 1).toLocaleString('en-US')} bytes`);
  });

  it('keeps the budget under DynamoDB item limit with room to spare', () => {
    expect(maxJobGroupItemBytes).toBeLessThanOrEqual(400 * 1024 - 32 * 1024);
  });
});
