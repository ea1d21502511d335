import { describe, expect, it } from 'vitest';
import { planRequests, rowCodeOf } from '#shared/domain/request-planning.ts';

const job = (jobId: string, params: Record<string, unknown>) => ({ jobId, params });

describe('request planning', () => {
  it('fetches one date across many codes with one date-wide request', () => {
    const jobs = ['72030', '67580', '130A0'].map((code) => job(code, { code, date: '2026-11-27' }));
    expect(planRequests({ dateWide: true }, jobs)).toEqual({
      perJob: [],
      dateWide: [{ date: '2026-11-27', jobIds: ['72030', '67580', '130A0'] }],
    });
  });

  it('makes one date-wide request per date', () => {
    const jobs = [
      job('a1', { code: '72030', date: '2026-11-26' }),
      job('a2', { code: '67580', date: '2026-11-26' }),
      job('b1', { code: '72030', date: '2026-11-27' }),
      job('b2', { code: '67580', date: '2026-11-27' }),
    ];
    expect(planRequests({ dateWide: true }, jobs).dateWide.map((request) => request.date)).toEqual([
      '2026-11-26',
      '2026-11-27',
    ]);
  });

  it('keeps ranges, lone codes and other params per job', () => {
    const jobs = [
      job('range', { code: '72030', from: '2026-11-20', to: '2026-11-27' }),
      job('lone', { code: '72030', date: '2026-11-25' }),
      job('bare', { date: '2026-11-27' }),
    ];
    expect(planRequests({ dateWide: true }, jobs)).toEqual({ perJob: [jobs[0], jobs[2], jobs[1]], dateWide: [] });
  });

  it('never plans date-wide requests for datasets without date-wide answers', () => {
    const jobs = ['7203.T', '6758.T'].map((symbol) => job(symbol, { code: symbol, date: '2026-11-27' }));
    expect(planRequests({ dateWide: false }, jobs)).toEqual({ perJob: jobs, dateWide: [] });
  });

  it('reads a 4-character code as the common stock rows carry', () => {
    expect(rowCodeOf('7203')).toBe('72030');
    expect(rowCodeOf('130A0')).toBe('130A0');
    expect(rowCodeOf('72031')).toBe('72031');
  });
});
