import { describeBackupRestorerContract } from '#test/contracts/backup-restorer.contract.ts';
import { InMemoryBackupRestorer } from '#test/fakes/in-memory-backup-restorer.ts';
import { InMemoryDataSourceSettingsStore } from '#test/fakes/in-memory-data-source-settings-store.ts';
import { InMemoryJobGroupStore } from '#test/fakes/in-memory-job-group-store.ts';

describeBackupRestorerContract('in memory', async () => {
  const groupStore = new InMemoryJobGroupStore();
  const settingsStore = new InMemoryDataSourceSettingsStore();
  return { restorer: new InMemoryBackupRestorer(groupStore, settingsStore), groupStore, settingsStore };
});
