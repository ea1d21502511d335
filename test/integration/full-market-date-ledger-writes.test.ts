import { describe, expect, it } from 'vitest';
import type { Job } from '#shared/domain/run.ts';
import { aDailyBarRow, aJobGroup } from '#test/fixtures/builders.ts';
import { DynamoDbWriteTally } from '#test/fixtures/dynamodb-write-tally.ts';
import { aDataPlaneOnMoto } from '#test/fixtures/moto-data-plane.ts';

/**
 * What one full-market date costs in DynamoDB writes, on moto: every write call of the dispatcher and the worker,
 * from the run's claim to its finish, rows included. Rows take ⌈rows/25⌉ BatchWriteItem calls; the whole ledger of
 * the run (claim, jobs, members, outcomes, counters, finish) must fit in 25 more. The fixture paces requests with
 * an in-memory rate limiter, so its slot writes (one per request) are counted only by the sandbox benchmark.
 */
const codes = Array.from({ length: 1_200 }, (_, index) => `${1301 + index}0`);
const date = '2026-11-27';
const runId = 'bars.20261127T083000Z';

describe('the DynamoDB writes of a full-market date on moto', () => {
  it('stores a date of 1,200 codes in at most ⌈rows/25⌉ + 25 write calls and lists each code as a job', async () => {
    const plane = await aDataPlaneOnMoto();
    await plane.ports.groupStore.create(
      aJobGroup({ id: 'bars', parametersTemplate: { code: { $each: codes }, date: '{{businessDate}}' } }),
    );
    plane.dataSource.rowsFor = (params) =>
      codes.filter((code) => params.code === undefined || params.code === code).map((code) => aDailyBarRow(code, date));
    // The answer comes in two pages, as a date this size does from the demo upstream's 1,000-row pages.
    plane.dataSource.pagesPerFetch = 2;

    // Every DynamoDB client of the dispatcher and the worker: the ledger's, and the one rows and settings go through.
    const writes = new DynamoDbWriteTally();
    writes.countCallsOf(plane.ports.client);
    plane.crashAt((command, input) => {
      writes.record(command, input);
      return false;
    });
    writes.start();
    await plane.dispatch({ groupId: 'bars', scheduledTime: '2026-11-27T08:30:00.000Z' });
    await plane.work();
    writes.stop();

    const run = await plane.ledger.getRun(runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      counters: { total: codes.length, succeeded: codes.length, failed: 0, dead: 0 },
      rowsWritten: codes.length,
    });
    const rowBatches = Math.ceil(codes.length / 25);
    // The count sees the rows' own batches, so a bound met is not a count that missed the writes.
    expect(writes.byOperation().BatchWriteItem).toBeGreaterThanOrEqual(rowBatches);
    expect(writes.total, `write calls by operation: ${JSON.stringify(writes.byOperation())}`).toBeLessThanOrEqual(
      rowBatches + 25,
    );

    const listed: Job[] = [];
    let cursor: string | undefined;
    do {
      const page = await plane.ledger.listJobs(runId, { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
      listed.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(listed.map((job) => job.params.code).sort()).toEqual(codes);
    expect(listed.every((job) => job.status === 'succeeded')).toBe(true);
  });
});
