import { describe, expect, it } from 'vitest';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { addDays, previousWeekday } from '#shared/domain/calendar-date.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import {
  compileParametersTemplate,
  expandParametersTemplate,
  isDefaultTemplate,
  type ListedCodesFilter,
  listedCodesFilters,
  maxJobsPerRun,
  type TemplateContext,
} from '#shared/domain/parameters-template.ts';

function aContext(overrides: Partial<TemplateContext> = {}): TemplateContext {
  return {
    businessDate: '2026-01-05',
    scheduledTime: '2026-01-05T08:00:00Z',
    previousBusinessDay: '2026-01-02',
    listedCodes: () => ['13010', '130A0', '72030'],
    ...overrides,
  };
}

function issuesOf(run: () => unknown): readonly { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

function expandDate(expression: string, businessDate: string): unknown {
  return expandParametersTemplate({ date: expression }, aContext({ businessDate }))[0]?.date;
}

describe('expandParametersTemplate', () => {
  it('expands an absent or empty template to one empty job', () => {
    expect(expandParametersTemplate(undefined, aContext())).toEqual([{}]);
    expect(expandParametersTemplate({}, aContext())).toEqual([{}]);
    expect(isDefaultTemplate(undefined)).toBe(true);
    expect(isDefaultTemplate({})).toBe(true);
    expect(isDefaultTemplate({ code: '72030' })).toBe(false);
  });

  it('copies plain values, nested objects and arrays into the one job', () => {
    const template = { code: '72030', limit: 5, adjusted: true, note: null, range: { from: 'a' }, tags: ['x', 1] };
    expect(expandParametersTemplate(template, aContext())).toEqual([template]);
  });

  it('fans out one job per element of a single $each', () => {
    const jobs = expandParametersTemplate(
      { code: { $each: ['72030', '67580', '99840'] }, date: '2026-01-05' },
      aContext(),
    );
    expect(jobs).toEqual([
      { code: '72030', date: '2026-01-05' },
      { code: '67580', date: '2026-01-05' },
      { code: '99840', date: '2026-01-05' },
    ]);
  });

  it('builds the cartesian product of two $each with the first key varying slowest', () => {
    const jobs = expandParametersTemplate(
      { code: { $each: ['A', 'B'] }, date: { $each: ['d1', 'd2', 'd3'] } },
      aContext(),
    );
    expect(jobs).toEqual([
      { code: 'A', date: 'd1' },
      { code: 'A', date: 'd2' },
      { code: 'A', date: 'd3' },
      { code: 'B', date: 'd1' },
      { code: 'B', date: 'd2' },
      { code: 'B', date: 'd3' },
    ]);
  });

  it('builds the cartesian product of three $each in key order', () => {
    const template = { a: { $each: [1, 2] }, b: { $each: ['x', 'y', 'z'] }, fixed: 'f', c: { $each: [true, false] } };
    const jobs = expandParametersTemplate(template, aContext());
    expect(jobs).toHaveLength(12);
    expect(jobs[0]).toEqual({ a: 1, b: 'x', fixed: 'f', c: true });
    expect(jobs[1]).toEqual({ a: 1, b: 'x', fixed: 'f', c: false });
    expect(jobs[2]).toEqual({ a: 1, b: 'y', fixed: 'f', c: true });
    expect(jobs[11]).toEqual({ a: 2, b: 'z', fixed: 'f', c: false });
    expect(jobs.map((job) => `${job.a}${job.b}${job.c}`)).toEqual([
      ...['x', 'y', 'z'].flatMap((b) => [`1${b}true`, `1${b}false`]),
      ...['x', 'y', 'z'].flatMap((b) => [`2${b}true`, `2${b}false`]),
    ]);
  });

  it('fans out a $each nested inside an object and inside $each elements', () => {
    const nested = expandParametersTemplate(
      { range: { from: { $each: ['2026-01-01', '2026-01-02'] }, to: 'x' } },
      aContext(),
    );
    expect(nested).toEqual([{ range: { from: '2026-01-01', to: 'x' } }, { range: { from: '2026-01-02', to: 'x' } }]);
    const inner = expandParametersTemplate({ code: { $each: ['A', { $each: ['B', 'C'] }] } }, aContext());
    expect(inner).toEqual([{ code: 'A' }, { code: 'B' }, { code: 'C' }]);
  });

  it('fans out whole param objects listed in a top-level $each', () => {
    const jobs = expandParametersTemplate({ $each: [{ code: 'A' }, { date: '{{businessDate}}' }] }, aContext());
    expect(jobs).toEqual([{ code: 'A' }, { date: '2026-01-05' }]);
  });

  it('builds each job as a fresh object so jobs never share nested values', () => {
    const jobs = expandParametersTemplate({ code: { $each: ['A', 'B'] }, range: { from: 'x' } }, aContext());
    expect(jobs[0]?.range).not.toBe(jobs[1]?.range);
  });

  it('fans out over every listed code when $listedCodes has no filter', () => {
    const requested: ListedCodesFilter[] = [];
    const context = aContext({
      listedCodes: (filter) => {
        requested.push(filter);
        return ['13010', '130A0'];
      },
    });
    const jobs = expandParametersTemplate({ code: { $each: { $listedCodes: {} } }, date: '{{businessDate}}' }, context);
    expect(jobs).toEqual([
      { code: '13010', date: '2026-01-05' },
      { code: '130A0', date: '2026-01-05' },
    ]);
    expect(requested).toEqual([{}]);
  });

  it('passes the market and sector filters of $listedCodes to the context', () => {
    const byFilter = (filter: ListedCodesFilter): readonly string[] =>
      filter.market === '0111' && filter.sector33 === '3650' ? ['67580'] : [];
    const template = { code: { $each: { $listedCodes: { market: '0111', sector33: '3650' } } } };
    expect(expandParametersTemplate(template, aContext({ listedCodes: byFilter }))).toEqual([{ code: '67580' }]);
  });

  it('expands to no jobs when the listed codes lookup is empty', () => {
    const template = { code: { $each: { $listedCodes: {} } }, date: { $each: ['a', 'b'] } };
    expect(expandParametersTemplate(template, aContext({ listedCodes: () => [] }))).toEqual([]);
  });
});

describe('listedCodesFilters', () => {
  it('lists each distinct $listedCodes filter of a template once, in order', () => {
    const template = {
      code: { $each: { $listedCodes: { market: '0111' } } },
      other: [{ x: { $each: { $listedCodes: {} } } }, { y: { $each: { $listedCodes: { market: '0111' } } } }],
    };
    expect(listedCodesFilters(template)).toEqual([{ market: '0111' }, {}]);
    expect(listedCodesFilters({ code: { $each: ['A'] } })).toEqual([]);
  });
});

describe('date expressions', () => {
  it('resolves {{businessDate}} and day offsets across month ends', () => {
    expect(expandDate('{{businessDate}}', '2026-01-31')).toBe('2026-01-31');
    expect(expandDate('{{businessDate+1d}}', '2026-01-31')).toBe('2026-02-01');
    expect(expandDate('{{businessDate+1d}}', '2027-02-28')).toBe('2027-03-01');
    expect(expandDate('{{businessDate+1d}}', '2028-02-28')).toBe('2028-02-29');
    expect(expandDate('{{businessDate+1d}}', '2028-02-29')).toBe('2028-03-01');
    expect(expandDate('{{businessDate-1d}}', '2027-03-01')).toBe('2027-02-28');
    expect(expandDate('{{businessDate-1d}}', '2028-03-01')).toBe('2028-02-29');
    expect(expandDate('{{businessDate+30d}}', '2026-01-31')).toBe('2026-03-02');
  });

  it('resolves day offsets across year ends', () => {
    expect(expandDate('{{businessDate+1d}}', '2026-12-31')).toBe('2027-01-01');
    expect(expandDate('{{businessDate-1d}}', '2027-01-01')).toBe('2026-12-31');
    expect(expandDate('{{businessDate-7d}}', '2027-01-03')).toBe('2026-12-27');
    expect(expandDate('{{businessDate-365d}}', '2029-01-01')).toBe('2028-01-02');
  });

  it('resolves {{previousBusinessDay}} and {{scheduledTime}} from the context', () => {
    const [job] = expandParametersTemplate(
      { from: '{{previousBusinessDay}}', at: '{{scheduledTime}}', before: '{{previousBusinessDay-1d}}' },
      aContext(),
    );
    expect(job).toEqual({ from: '2026-01-02', at: '2026-01-05T08:00:00Z', before: '2026-01-01' });
  });

  it('substitutes expressions embedded in longer strings and inside $each elements', () => {
    const jobs = expandParametersTemplate(
      { key: 'x-{{businessDate}}/{{businessDate-1d}}', date: { $each: ['{{businessDate}}', '{{businessDate-7d}}'] } },
      aContext(),
    );
    expect(jobs).toEqual([
      { key: 'x-2026-01-05/2026-01-04', date: '2026-01-05' },
      { key: 'x-2026-01-05/2026-01-04', date: '2025-12-29' },
    ]);
  });
});

describe('the job cap', () => {
  const codes = Array.from({ length: 1000 }, (_, index) => String(index).padStart(5, '0'));

  it('accepts a template of exactly 100,000 jobs', () => {
    const dates = Array.from({ length: 100 }, (_, index) => `d${index}`);
    const compiled = compileParametersTemplate({ code: { $each: codes }, date: { $each: dates } }, aContext());
    expect(compiled.jobCount).toBe(maxJobsPerRun);
    expect(compiled.jobAt(maxJobsPerRun - 1)).toEqual({ code: '00999', date: 'd99' });
  });

  it('rejects 100,001 jobs with the template path, the count and its factors', () => {
    const dates = Array.from({ length: 101 }, (_, index) => `d${index}`);
    const issues = issuesOf(() =>
      expandParametersTemplate({ code: { $each: codes }, date: { $each: dates } }, aContext()),
    );
    expect(issues).toEqual([
      {
        path: 'parametersTemplate',
        message: expect.stringContaining('expands to 101,000 jobs, more than the 100,000 allowed'),
      },
    ]);
    expect(issues[0]?.message).toContain('parametersTemplate.code.$each (1,000) × parametersTemplate.date.$each (101)');
  });

  it('rejects an astronomically large product without building it', () => {
    const wide = Array.from({ length: 1000 }, (_, index) => index);
    const template = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`k${index}`, { $each: wide }]));
    const issues = issuesOf(() => compileParametersTemplate(template, aContext()));
    expect(issues[0]?.message).toContain('expands to 1,000,000,000,000,000,000,000,000 jobs');
  });
});

describe('template errors', () => {
  it('reports every bad field together, each with its path', () => {
    const template = {
      code: { $each: ['72030', '{{tomorrow}}'] },
      range: { from: '{{businessDate+1w}}', to: '{{businessDate}}' },
      empty: { $each: [] },
      scalar: { $each: 'A' },
      mixed: { $each: ['x'], extra: 1 },
      $where: 'x',
      filter: { $each: { $listedCodes: { market: 111, segment: 'x' } } },
      open: '{{businessDate',
    };
    const issues = issuesOf(() => expandParametersTemplate(template, aContext()));
    expect(issues.map((issue) => issue.path)).toEqual([
      'parametersTemplate.code.$each[1]',
      'parametersTemplate.range.from',
      'parametersTemplate.empty.$each',
      'parametersTemplate.scalar.$each',
      'parametersTemplate.mixed.extra',
      'parametersTemplate.$where',
      'parametersTemplate.filter.$each.$listedCodes.market',
      'parametersTemplate.filter.$each.$listedCodes.segment',
      'parametersTemplate.open',
    ]);
    expect(issues[0]?.message).toContain('unknown date expression {{tomorrow}}');
    expect(issues[2]?.message).toBe('must list at least one value');
    expect(issues[4]?.message).toBe('not allowed next to $each');
    expect(issues[5]?.message).toContain("unknown operator '$where'");
    expect(issues[8]?.message).toContain('unterminated date expression');
  });

  it('rejects a template that is not an object, and top-level $each elements that are not objects', () => {
    expect(issuesOf(() => expandParametersTemplate(['a'], aContext()))).toEqual([
      { path: 'parametersTemplate', message: 'must be an object of job parameters' },
    ]);
    expect(issuesOf(() => expandParametersTemplate({ $each: [{ code: 'A' }, 'B'] }, aContext()))).toEqual([
      { path: 'parametersTemplate.$each[1]', message: 'must be an object of job parameters' },
    ]);
  });

  it('rejects a day offset that leaves the four-digit years', () => {
    const issues = issuesOf(() => expandParametersTemplate({ date: '{{businessDate+99999999d}}' }, aContext()));
    expect(issues).toEqual([
      {
        path: 'parametersTemplate.date',
        message: expect.stringContaining('date out of range in {{businessDate+99999999d}}'),
      },
    ]);
  });

  it('quotes keys that are not plain identifiers in paths', () => {
    const issues = issuesOf(() => expandParametersTemplate({ 'odd key': '{{nope}}' }, aContext()));
    expect(issues[0]?.path).toBe('parametersTemplate["odd key"]');
  });
});

describe('sourcePathOf', () => {
  it('points a job field at the template element that produced it', () => {
    const compiled = compileParametersTemplate(
      { code: { $each: ['A', 'B', 'C'] }, range: { from: '{{businessDate}}' } },
      aContext(),
    );
    expect(compiled.sourcePathOf(2, ['code'])).toBe('parametersTemplate.code.$each[2]');
    expect(compiled.sourcePathOf(1, ['range', 'from'])).toBe('parametersTemplate.range.from');
    expect(compiled.sourcePathOf(0, ['missing'])).toBe('parametersTemplate.missing');
    expect(compiled.sourcePathOf(0, [])).toBe('parametersTemplate');
  });
});

describe('calendar helpers', () => {
  it('adds and subtracts calendar days on YYYY-MM-DD strings', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });

  it('steps back over a weekend to Friday when no calendar is stored', () => {
    expect(previousWeekday('2026-01-05')).toBe('2026-01-02');
    expect(previousWeekday('2026-01-04')).toBe('2026-01-02');
    expect(previousWeekday('2026-01-07')).toBe('2026-01-06');
  });

  it('takes the business date in the group time zone across the UTC date boundary', () => {
    expect(businessDateOf(new Date('2026-11-26T16:00:00Z'), 'Asia/Tokyo')).toBe('2026-11-27');
    expect(businessDateOf(new Date('2026-11-26T14:59:59Z'), 'Asia/Tokyo')).toBe('2026-11-26');
    expect(businessDateOf(new Date('2026-11-26T16:00:00Z'), 'UTC')).toBe('2026-11-26');
    expect(businessDateOf(new Date('2026-03-08T04:30:00Z'), 'America/New_York')).toBe('2026-03-07');
  });

  it('rejects an unknown time zone as a validation error on timezone', () => {
    expect(issuesOf(() => businessDateOf(new Date('2026-01-05T00:00:00Z'), 'Mars/Olympus'))).toEqual([
      { path: 'timezone', message: "'Mars/Olympus' is not a known IANA time zone" },
    ]);
  });
});
