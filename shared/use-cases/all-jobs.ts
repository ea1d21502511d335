import type { Job } from '#shared/domain/run.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';

/** Every job of a run as stored (a date job as itself, not its members) that `keep` accepts, read page by page. */
export async function allJobs(
  ledger: RunLedger,
  runId: string,
  keep: (job: Job) => boolean = () => true,
): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.listJobs(runId, {
      limit: 1000,
      asStored: true,
      ...(cursor === undefined ? {} : { cursor }),
    });
    jobs.push(...page.items.filter(keep));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return jobs;
}
