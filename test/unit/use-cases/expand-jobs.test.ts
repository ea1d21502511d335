import { describe, expect, it } from 'vitest';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { type ExpandJobsRequest, expandJobs } from '#shared/use-cases/expand-jobs.ts';
import { InMemoryListedCodes } from '#test/fakes/in-memory-listed-codes.ts';
import { InMemoryTradingCalendar } from '#test/fakes/in-memory-trading-calendar.ts';

const barsDaily = requireDataset('jquants.equities.bars.daily');

function aRequest(overrides: Partial<ExpandJobsRequest> = {}): ExpandJobsRequest {
  return {
    template: undefined,
    dataset: barsDaily,
    scheduledTime: '2026-01-05T08:00:00Z',
    timezone: 'Asia/Tokyo',
    ...overrides,
  };
}

function someDeps(overrides: { listedCodes?: InMemoryListedCodes; tradingCalendar?: InMemoryTradingCalendar } = {}): {
  listedCodes: InMemoryListedCodes;
  tradingCalendar: InMemoryTradingCalendar;
} {
  return {
    listedCodes: overrides.listedCodes ?? new InMemoryListedCodes(),
    tradingCalendar: overrides.tradingCalendar ?? new InMemoryTradingCalendar(),
  };
}

async function issuesOf(promise: Promise<unknown>): Promise<readonly { path: string; message: string }[]> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error instanceof ValidationError) return error.issues;
  throw new Error(`expected a ValidationError, got ${String(error)}`);
}

describe('expandJobs', () => {
  it('runs one job with the dataset defaults for the business date when the template is absent or empty', async () => {
    for (const template of [undefined, {}]) {
      const jobs = await expandJobs(aRequest({ template }), someDeps());
      expect(jobs.map((job) => job.params)).toEqual([{ date: '2026-01-05' }]);
    }
  });

  it('takes the business date in the group time zone, not UTC', async () => {
    const jobs = await expandJobs(aRequest({ scheduledTime: '2026-11-26T16:00:00Z' }), someDeps());
    expect(jobs[0]?.params).toEqual({ date: '2026-11-27' });
  });

  it('uses an explicit business date over the scheduled one', async () => {
    const jobs = await expandJobs(aRequest({ businessDate: '2025-12-30' }), someDeps());
    expect(jobs[0]?.params).toEqual({ date: '2025-12-30' });
  });

  it('expands the design example into one validated job per code with stable distinct ids', async () => {
    const template = {
      code: { $each: ['72030', '67580', '99840'] },
      from: '{{businessDate-7d}}',
      to: '{{businessDate}}',
    };
    const jobs = await expandJobs(aRequest({ template }), someDeps());
    expect(jobs.map((job) => job.params)).toEqual([
      { code: '72030', from: '2025-12-29', to: '2026-01-05' },
      { code: '67580', from: '2025-12-29', to: '2026-01-05' },
      { code: '99840', from: '2025-12-29', to: '2026-01-05' },
    ]);
    expect(new Set(jobs.map((job) => job.jobId)).size).toBe(3);
    expect(jobs[0]?.jobId).toMatch(/^72030_2025-12-29_2026-01-05-[0-9a-f]{12}$/);
    const again = await expandJobs(aRequest({ template }), someDeps());
    expect(again.map((job) => job.jobId)).toEqual(jobs.map((job) => job.jobId));
  });

  it('keeps one job for identical params', async () => {
    const jobs = await expandJobs(
      aRequest({ template: { date: { $each: ['2026-01-05', '2026-01-05'] } } }),
      someDeps(),
    );
    expect(jobs).toHaveLength(1);
  });

  it('fans out over the listed codes of the fake source with its filter', async () => {
    const listedCodes = new InMemoryListedCodes([
      { code: '72030', market: '0111', sector33: '3700' },
      { code: '130A0', market: '0113', sector33: '5250' },
      { code: '67580', market: '0111', sector33: '3650' },
    ]);
    const template = { code: { $each: { $listedCodes: { market: '0111' } } }, date: '{{businessDate}}' };
    const jobs = await expandJobs(aRequest({ template }), someDeps({ listedCodes }));
    expect(jobs.map((job) => job.params.code)).toEqual(['67580', '72030']);
    expect(listedCodes.requests).toEqual([{ market: '0111' }]);
  });

  it('resolves {{previousBusinessDay}} from the stored calendar over a holiday', async () => {
    const tradingCalendar = new InMemoryTradingCalendar({
      businessDays: ['2025-12-30'],
      nonBusinessDays: ['2025-12-31', '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'],
    });
    const template = { date: '{{previousBusinessDay}}' };
    const jobs = await expandJobs(aRequest({ template }), someDeps({ tradingCalendar }));
    expect(jobs[0]?.params).toEqual({ date: '2025-12-30' });
  });

  it('falls back to weekdays for {{previousBusinessDay}} when no calendar is stored', async () => {
    const jobs = await expandJobs(aRequest({ template: { date: '{{previousBusinessDay}}' } }), someDeps());
    expect(jobs[0]?.params).toEqual({ date: '2026-01-02' });
  });

  it('reports each distinct params problem once, at the template path that produced it', async () => {
    const template = {
      code: { $each: ['72030', '7203a', 'bad', '67580'] },
      date: '2026-02-30',
      from: '{{businessDate}}',
      extra: true,
    };
    const issues = await issuesOf(expandJobs(aRequest({ template }), someDeps()));
    expect(issues).toEqual([
      { path: 'parametersTemplate.date', message: 'must be a real calendar date written YYYY-MM-DD' },
      { path: 'parametersTemplate.extra', message: 'is not a parameter of jquants.equities.bars.daily' },
      { path: 'parametersTemplate.from', message: 'cannot be combined with date: send date or from/to' },
      { path: 'parametersTemplate.code.$each[1]', message: expect.stringContaining('must be an issue code') },
      { path: 'parametersTemplate.code.$each[2]', message: expect.stringContaining('must be an issue code') },
    ]);
  });

  it('reports a rule about the whole params at the template root', async () => {
    const issues = await issuesOf(expandJobs(aRequest({ template: { from: '2026-01-01' } }), someDeps()));
    expect(issues).toEqual([{ path: 'parametersTemplate.from', message: 'a from/to range needs code' }]);
    const empty = await issuesOf(
      expandJobs(aRequest({ template: { $each: [{ code: '72030' }, { x: 1 }] } }), someDeps()),
    );
    expect(empty).toEqual([
      { path: 'parametersTemplate.$each[1].x', message: 'is not a parameter of jquants.equities.bars.daily' },
      { path: 'parametersTemplate.$each[1]', message: 'needs code or date (or both)' },
    ]);
  });

  it('fills a yahoo job range with the business date and refuses a yahoo default job', async () => {
    const yahoo: DatasetDefinition = requireDataset('yahoo.chart.daily');
    const jobs = await expandJobs(
      aRequest({ dataset: yahoo, template: { symbol: { $each: ['7203.T', '^N225'] } } }),
      someDeps(),
    );
    expect(jobs.map((job) => job.params)).toEqual([
      { symbol: '7203.T', from: '2026-01-05', to: '2026-01-05' },
      { symbol: '^N225', from: '2026-01-05', to: '2026-01-05' },
    ]);
    const issues = await issuesOf(expandJobs(aRequest({ dataset: yahoo }), someDeps()));
    expect(issues[0]?.path).toBe('parametersTemplate');
    expect(issues[0]?.message).toContain('needs a symbol');
  });

  it('rejects a bad scheduled time, time zone or business date with their field paths', async () => {
    expect(await issuesOf(expandJobs(aRequest({ scheduledTime: 'yesterday' }), someDeps()))).toEqual([
      { path: 'scheduledTime', message: 'must be an ISO 8601 instant' },
    ]);
    expect((await issuesOf(expandJobs(aRequest({ timezone: 'Tokyo' }), someDeps())))[0]?.path).toBe('timezone');
    expect((await issuesOf(expandJobs(aRequest({ businessDate: '2026-02-30' }), someDeps())))[0]?.path).toBe(
      'businessDate',
    );
  });

  it('lists at most 100 distinct problems and counts the rest', async () => {
    const codes = Array.from({ length: 150 }, (_, index) => `bad${index}`);
    const issues = await issuesOf(expandJobs(aRequest({ template: { code: { $each: codes } } }), someDeps()));
    expect(issues).toHaveLength(101);
    expect(issues[100]).toEqual({ path: 'parametersTemplate', message: '50 more problems not listed' });
  });
});
