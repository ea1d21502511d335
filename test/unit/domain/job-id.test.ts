import { describe, expect, it } from 'vitest';
import { jobIdentityOf, jobIdOf } from '#shared/domain/job-id.ts';

describe('jobIdOf', () => {
  it('gives the same id to equal params whatever their key order', () => {
    expect(jobIdOf({ code: '72030', date: '2026-01-05' })).toBe(jobIdOf({ date: '2026-01-05', code: '72030' }));
  });

  it('gives different ids to params that differ in one value', () => {
    expect(jobIdOf({ code: '72030', date: '2026-01-05' })).not.toBe(jobIdOf({ code: '72030', date: '2026-01-06' }));
    expect(jobIdOf({ a: '1', b: '2' })).not.toBe(jobIdOf({ a: '12' }));
  });

  it('opens with a readable slug of the values and keeps only safe characters', () => {
    expect(jobIdOf({ symbol: '^N225', from: '2026-01-05' })).toMatch(/^2026-01-05_N225-[0-9a-f]{12}$/);
    expect(jobIdOf({})).toMatch(/^job-[0-9a-f]{12}$/);
    expect(jobIdOf({ note: 'x'.repeat(200) }).length).toBeLessThanOrEqual(48 + 13);
  });

  it('returns canonical params with sorted keys at every level', () => {
    expect(jobIdentityOf({ b: { y: 1, x: 2 }, a: [3] }).canonicalParams).toBe('{"a":[3],"b":{"x":2,"y":1}}');
  });
});
