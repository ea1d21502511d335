import { describeBackfillStoreContract } from '#test/contracts/backfill-store.contract.ts';
import { describeDataSourceSettingsStoreContract } from '#test/contracts/data-source-settings-store.contract.ts';
import { describeJobGroupStoreContract } from '#test/contracts/job-group-store.contract.ts';
import { describeJobQueueContract } from '#test/contracts/job-queue.contract.ts';
import { describeMarketDataStoreContract } from '#test/contracts/market-data-store.contract.ts';
import { describeRunLedgerContract } from '#test/contracts/run-ledger.contract.ts';
import { describeScheduleStoreContract } from '#test/contracts/schedule-store.contract.ts';
import { InMemoryBackfillStore } from '#test/fakes/in-memory-backfill-store.ts';
import { InMemoryDataSourceSettingsStore } from '#test/fakes/in-memory-data-source-settings-store.ts';
import { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';
import { InMemoryJobQueue } from '#test/fakes/in-memory-job-queue.ts';
import { InMemoryMarketDataStore } from '#test/fakes/in-memory-market-data-store.ts';
import { InMemoryRunLedger } from '#test/fakes/in-memory-run-ledger.ts';
import { InMemoryScheduleStore } from '#test/fakes/in-memory-schedule-store.ts';

describeJobGroupStoreContract('in memory', async () => {
  const store = new InMemoryJobGroupStore();
  return { store, putRawItem: (item) => store.putRawItem(item) };
});
describeRunLedgerContract('in memory', async () => new InMemoryRunLedger());
describeScheduleStoreContract('in memory', async () => new InMemoryScheduleStore());
describeJobQueueContract('in memory', async () => {
  const queue = new InMemoryJobQueue();
  return { queue, received: async () => queue.drain() };
});
describeDataSourceSettingsStoreContract('in memory', async () => new InMemoryDataSourceSettingsStore());
describeMarketDataStoreContract('in memory', async () => new InMemoryMarketDataStore());
describeBackfillStoreContract('in memory', async () => new InMemoryBackfillStore());
