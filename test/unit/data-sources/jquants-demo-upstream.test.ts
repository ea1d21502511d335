import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';
import { JquantsClient } from '#shared/data-sources/jquants/jquants-client.ts';
import { JquantsDataSource } from '#shared/data-sources/jquants/jquants-data-source.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import type { FetchedPage } from '#shared/ports/data-source.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { collectPages } from '#test/unit/data-sources/collect-pages.ts';

const barsDaily = requireDataset('jquants.equities.bars.daily');
let upstream: DemoUpstream;

beforeAll(async () => {
  upstream = await startDemoUpstream({ pageSize: 7, listedCodeCount: 20, requestsPerMinute: 0 });
});

afterAll(async () => {
  await upstream.close();
});

function fetchBars(params: Record<string, unknown>, resumeAt?: string): Promise<FetchedPage[]> {
  const client = new JquantsClient({ apiKey: async () => 'demo-key', baseUrl: upstream.jquantsBaseUrl });
  const source = new JquantsDataSource({ client, clock: new FakeClock() });
  return collectPages(source.fetchPages(barsDaily, params, resumeAt === undefined ? {} : { resumeAt }));
}

function codesOf(pages: readonly FetchedPage[]): unknown[] {
  return pages.flatMap((page) => page.rows.map((row) => row.code));
}

describe('JquantsDataSource on the demo upstream', () => {
  it('resumes a date-wide answer at a stored position and yields the rest of it', async () => {
    const whole = await fetchBars({ date: '2026-01-05' });
    const resumed = await fetchBars({ date: '2026-01-05' }, whole[0]?.next);
    expect(whole.length).toBeGreaterThan(2);
    expect(whole.flatMap((page) => page.rejected)).toEqual([]);
    expect(codesOf(resumed)).toEqual(codesOf(whole.slice(1)));
    expect(resumed.some((page) => page.restarted === true)).toBe(false);
  });

  it('starts again from the first page when the stored position belongs to another query', async () => {
    const otherDay = await fetchBars({ date: '2026-01-06' });
    const whole = await fetchBars({ date: '2026-01-05' });
    const restarted = await fetchBars({ date: '2026-01-05' }, otherDay[0]?.next);
    expect(codesOf(restarted)).toEqual(codesOf(whole));
    expect(restarted.map((page) => page.restarted)).toEqual([true, ...whole.slice(1).map(() => undefined)]);
  });
});
