import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integerBetween, parseDate, parseInstant, requireTogether } from '#cli/arguments.ts';
import { adminUrlOf } from '#cli/context.ts';
import { UsageError } from '#cli/errors.ts';
import { runCli } from '#test/fixtures/cli-harness.ts';

describe('argument validation', () => {
  it('takes calendar dates that exist', () => {
    expect(parseDate('2028-02-29')).toBe('2028-02-29');
    for (const bad of ['2026-02-29', '2026-13-01', '26-11-01', '2026-11-01T00:00:00Z']) {
      expect(() => parseDate(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('takes instants only with their offset', () => {
    expect(parseInstant('2026-12-01T00:00:00+09:00')).toBe('2026-12-01T00:00:00+09:00');
    expect(parseInstant('2026-12-01T00:00Z')).toBe('2026-12-01T00:00Z');
    expect(() => parseInstant('2026-12-01T00:00:00')).toThrow('with its offset');
  });

  it('takes whole numbers within bounds', () => {
    const count = integerBetween(1, 100);
    expect(count('5')).toBe(5);
    for (const bad of ['0', '101', '1.5', 'five', '-1']) expect(() => count(bad)).toThrow('from 1 to 100');
  });

  it('wants options that go together given together', () => {
    const given = (options: { limit?: number; per?: string }) => () =>
      requireTogether(options, ['limit', 'per'], '--limit 5 --per minute');
    expect(given({ limit: 5 })).toThrow(UsageError);
    expect(given({})).not.toThrow();
    expect(given({ limit: 5, per: 'minute' })).not.toThrow();
  });

  it('takes http(s) admin URLs only', () => {
    expect(adminUrlOf(' http://127.0.0.1:3000 ').href).toBe('http://127.0.0.1:3000/');
    expect(() => adminUrlOf('ftp://x')).toThrow('not an http(s) URL');
    expect(() => adminUrlOf('127.0.0.1:3000/x y')).toThrow(UsageError);
    expect(() => adminUrlOf(undefined)).toThrow('no admin API to talk to');
  });

  it('exits 2 on an unknown command, a missing argument or a missing required option, naming --help', async () => {
    for (const args of [['grops', 'list'], ['groups', 'get'], ['groups', 'pause', 'g'], ['groups']]) {
      const outcome = await runCli(args, { url: 'http://127.0.0.1:9' });
      expect(outcome.exitCode, args.join(' ')).toBe(2);
      expect(outcome.stderr, args.join(' ')).toMatch(/--help|Usage: moomoo/);
    }
  });

  it('prints help on stdout and exits 0', async () => {
    const outcome = await runCli(['runs', 'watch', '--help']);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toContain('Usage: moomoo runs watch [options] <run-id>');
  });
});
