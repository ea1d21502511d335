import { startMotoServer } from '#infra/local/moto-server.ts';
import { tables } from '#infra/resources.ts';
import { DynamoDbWriteTally } from '#test/fixtures/dynamodb-write-tally.ts';
import { adminCall, setJquantsSettings, startBenchSandbox, waitForRun } from './admin-call.ts';
import { startWriteCountingEndpoint } from './write-counting-endpoint.ts';

const codeCount = 4_400;
const pageSize = 1_000;
const businessDate = '2026-11-27';

/**
 * What one full-market date of daily bars costs, in the sandbox: a group of 4,400 codes for one date, run now on the
 * Premium plan (the demo upstream allowing its 500 requests a minute, so pacing is not what is measured), its
 * answer in pages of 1,000 rows. Counts every DynamoDB write call the sandbox's functions make from the run's claim
 * to its finish — rows, ledger and request slots — where they leave the process for the emulator, against
 * ⌈rows/25⌉ + 25; the seconds from run-now to the run finished; and the jobs `GET /runs/{id}/jobs` lists, page by page.
 * Counting puts one more loopback hop before every AWS call of the sandbox, so the seconds run a little long.
 */
export async function benchFullMarketDate(): Promise<Record<string, number | string>> {
  const moto = await startMotoServer();
  const writes = new DynamoDbWriteTally();
  const endpoint = await startWriteCountingEndpoint(moto.endpoint, writes);
  try {
    const sandbox = await startBenchSandbox(
      { listedCodeCount: codeCount, pageSize, requestsPerMinute: 500 },
      endpoint.url,
    );
    try {
      const call = adminCall(sandbox);
      await setJquantsSettings(call, { plan: 'premium' });
      const codes = sandbox.demoUpstream?.codes ?? [];
      const created = await call('POST', '/groups', {
        id: 'full-market',
        name: 'Full market',
        dataSource: 'jquants',
        dataset: 'jquants.equities.bars.daily',
        schedule: '0 18 * * 1-5',
        parametersTemplate: { code: { $each: codes }, date: '{{businessDate}}' },
      });
      if (created.error !== undefined) throw new Error(`the group was refused: ${JSON.stringify(created.error)}`);
      // The group's stream record reaches the schedule manager meanwhile, so none of its work is counted.
      await new Promise((resolve) => setTimeout(resolve, 2_000));

      sandbox.demoUpstream?.resetRequests();
      writes.start();
      const started = performance.now();
      const run = await call('POST', '/groups/full-market/runs', { businessDate });
      const finished = await waitForRun(call, String(run.runId), 200);
      const seconds = (performance.now() - started) / 1000;
      writes.stop();

      const listing = await listJobs(call, String(run.runId));
      const rows = Number(finished.rowsWritten);
      const tableIds = new Map(tables.map((table) => [sandbox.environment[table.envVar] ?? '', table.id]));
      const byTable: Record<string, number> = {};
      for (const [name, count] of Object.entries(writes.byTable())) {
        const id = tableIds.get(name) ?? name;
        byTable[id] = (byTable[id] ?? 0) + count;
      }
      const { MarketData = 0, JobRuns = 0, DataSources = 0, ...elsewhere } = byTable;
      return {
        codes: codes.length,
        rowsPerPage: pageSize,
        runStatus: String(finished.status),
        rowsWritten: rows,
        dynamoDbWriteCalls: writes.total,
        writeCallTarget: Math.ceil(rows / 25) + 25,
        writeCallsMarketData: MarketData,
        writeCallsJobRuns: JobRuns,
        writeCallsDataSources: DataSources,
        writeCallsOtherTables: Object.values(elsewhere).reduce((sum, count) => sum + count, 0),
        writeCallsByOperation: Object.entries(writes.byOperation())
          .map(([operation, count]) => `${operation} ${count}`)
          .join(', '),
        writeCallsRefused: endpoint.refusedWrites,
        secondsRunNowToFinished: Number(seconds.toFixed(1)),
        upstreamRequests: Number(finished.upstreamRequests),
        requestsSeenByUpstream: sandbox.demoUpstream?.requests.length ?? 0,
        jobsListed: listing.jobs,
        codesListed: listing.codes,
        jobPagesOf1000: listing.pages,
      };
    } finally {
      await sandbox.stop();
    }
  } finally {
    await endpoint.close();
    await moto.stop();
  }
}

/** Pages through `GET /runs/{id}/jobs` with its cursor: the jobs listed, the distinct codes among them, the pages. */
async function listJobs(
  call: ReturnType<typeof adminCall>,
  runId: string,
): Promise<{ jobs: number; codes: number; pages: number }> {
  let jobs = 0;
  let pages = 0;
  const codes = new Set<string>();
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '1000', ...(cursor === undefined ? {} : { cursor }) });
    const page = (await call('GET', `/runs/${encodeURIComponent(runId)}/jobs?${query}`)) as {
      jobs?: { params?: { code?: unknown } }[];
      cursor?: string;
    };
    if (page.jobs === undefined) throw new Error(`listing the run's jobs failed: ${JSON.stringify(page)}`);
    pages += 1;
    jobs += page.jobs.length;
    for (const job of page.jobs) if (typeof job.params?.code === 'string') codes.add(job.params.code);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { jobs, codes: codes.size, pages };
}
