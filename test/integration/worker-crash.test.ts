import { describe, expect, it } from 'vitest';
import { createTable } from '#infra/local/provision.ts';
import { jobRunsTable, marketDataTable } from '#infra/resources.ts';
import { createDocumentClient } from '#shared/adapters/aws-clients.ts';
import { DynamoDbMarketDataStore } from '#shared/adapters/dynamodb-market-data-store.ts';
import { DynamoDbRunLedger } from '#shared/adapters/dynamodb-run-ledger.ts';
import { requireDataset } from '#shared/datasets/registry.ts';
import type { RunJobMessage } from '#shared/messages/run-job-message.ts';
import { silentLog } from '#shared/observability/logger.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';
import { processJobMessage } from '#shared/use-cases/process-job-message.ts';
import { FakeClock } from '#test/fakes/fake-clock.ts';
import { FakeDataSource } from '#test/fakes/fake-data-source.ts';
import { InMemoryDataSourceSettingsStore } from '#test/fakes/in-memory-data-source-settings-store.ts';
import { InMemoryDeadLetterQueue } from '#test/fakes/in-memory-dead-letter-queue.ts';
import { InMemoryJobQueue } from '#test/fakes/in-memory-job-queue.ts';
import { InMemoryRateLimiter } from '#test/fakes/in-memory-rate-limiter.ts';
import { aDailyBarRow, aJob, aRun, aRunJobMessage } from '#test/fixtures/builders.ts';

const bars = requireDataset('jquants.equities.bars.daily');
const dates = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];

/** The process dies right after a job's rows are written, before the job is recorded as finished. */
class CrashOnce extends Error {}

describe('a worker that crashes midway through a batch', () => {
  it('stores every row once and counts every job once when the batch is delivered again', async () => {
    const client = createDocumentClient();
    const suffix = Date.now();
    await createTable(client, jobRunsTable, `runs-${suffix}`);
    await createTable(client, marketDataTable, `rows-${suffix}`);
    const ledger = new DynamoDbRunLedger({ client, tableName: `runs-${suffix}` });
    const marketData = new DynamoDbMarketDataStore({ client, tableName: `rows-${suffix}` });
    const codes = ['72030', '67580', '130A0'];
    await ledger.claimRun(aRun({ status: 'dispatching' }));
    await ledger.addJobs(
      aRun().runId,
      codes.map((code) => aJob({ jobId: code, params: { code, from: dates[0] ?? '', to: dates[3] ?? '' } })),
    );
    await ledger.updateRun(aRun().runId, { status: 'running', total: codes.length, at: '2026-11-27T08:31:00.000Z' });
    const messages: RunJobMessage[] = codes.map((code) =>
      aRunJobMessage({ jobId: code, params: { code, from: dates[0] ?? '', to: dates[3] ?? '' } }),
    );

    let crashed = false;
    const crashingFinish: RunLedger['finishJob'] = async (runId, jobId, outcome) => {
      if (jobId === '67580' && !crashed) {
        crashed = true;
        throw new CrashOnce('the worker died');
      }
      return ledger.finishJob(runId, jobId, outcome);
    };
    const crashingLedger = new Proxy(ledger, {
      get: (target, property) => {
        if (property === 'finishJob') return crashingFinish;
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const dataSource = new FakeDataSource();
    dataSource.rowsFor = (params) => dates.map((date) => aDailyBarRow(String(params.code), date));
    const clock = new FakeClock('2026-11-27T08:31:00.000Z');
    const deps = (runLedger: RunLedger) => ({
      runLedger,
      marketData,
      dataSource,
      deadLetters: new InMemoryDeadLetterQueue(),
      settingsStore: new InMemoryDataSourceSettingsStore(),
      rateLimiter: new InMemoryRateLimiter(clock),
      requeue: new InMemoryJobQueue(),
      clock,
      log: silentLog,
    });

    // First delivery: the first message completes, the second dies after writing its rows, the third never runs.
    await processJobMessage(messages[0] as RunJobMessage, deps(crashingLedger));
    // In-process the failure surfaces as a retry request; a real crash would simply leave the job running.
    const failure = await processJobMessage(messages[1] as RunJobMessage, deps(crashingLedger)).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).cause).toBeInstanceOf(CrashOnce);
    // Nothing of the batch was deleted: SQS delivers all three again to a fresh worker.
    for (const message of messages) await processJobMessage(message, deps(ledger));

    for (const code of codes) {
      const stored = await marketData.queryRows(bars, { series: code });
      expect(
        stored.items.map((row) => row.date),
        code,
      ).toEqual(dates);
    }
    expect(await ledger.getRun(aRun().runId)).toMatchObject({
      status: 'succeeded',
      counters: { total: 3, succeeded: 3, failed: 0, dead: 0 },
    });
    expect(dataSource.calls.map((call) => call.params.code)).toEqual(['72030', '67580', '67580', '130A0']);
    expect((await ledger.getJob(aRun().runId, '67580'))?.attemptsMade).toBe(2);
  });
});
