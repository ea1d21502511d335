import type { Run } from '#shared/domain/run.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { RunLedger } from '#shared/ports/run-ledger.ts';

/**
 * Prints the sandbox's run and job events: a line when a run appears or its status, counters or upstream requests
 * change, a line every `progressIntervalMs` for a run still going when nothing changed (it may be waiting for the
 * rate limit), and a line per failed job with its error. It reads the run ledger like an operator would, so what it
 * prints is what is stored.
 */
export class RunWatcher {
  readonly #groupStore: JobGroupStore;
  readonly #runLedger: RunLedger;
  readonly #print: (line: string) => void;
  readonly #progressIntervalMs: number;
  /** What was last printed of each run, and when. */
  readonly #seen = new Map<string, { state: string; atMs: number }>();
  readonly #reportedFailures = new Set<string>();

  constructor(options: {
    groupStore: JobGroupStore;
    runLedger: RunLedger;
    print: (line: string) => void;
    /** @default 15_000 */
    progressIntervalMs?: number;
  }) {
    this.#groupStore = options.groupStore;
    this.#runLedger = options.runLedger;
    this.#print = options.print;
    this.#progressIntervalMs = options.progressIntervalMs ?? 15_000;
  }

  /** Looks at the newest runs of every group once. */
  async poll(): Promise<void> {
    for (const group of (await this.#groupStore.list()).groups) {
      const { items } = await this.#runLedger.listRuns(group.id, { limit: 5 });
      for (const run of items.reverse()) await this.#report(run);
    }
  }

  async #report(run: Run): Promise<void> {
    const { total, succeeded, failed } = run.counters;
    const state = `${run.status} ${succeeded + failed}/${total} ${run.upstreamRequests} ${run.waitingForRateLimit}`;
    const nowMs = Date.now();
    const last = this.#seen.get(run.runId);
    const going = run.status === 'dispatching' || run.status === 'running';
    if (last?.state === state && !(going && nowMs - last.atMs >= this.#progressIntervalMs)) return;
    this.#seen.set(run.runId, { state, atMs: nowMs });
    const detail = [
      `${succeeded + failed}/${total} jobs done`,
      ...(failed > 0 ? [`${failed} failed`] : []),
      `${run.upstreamRequests} upstream requests`,
      ...(run.waitingForRateLimit > 0 ? [`${run.waitingForRateLimit} waiting for the rate limit`] : []),
      ...(run.reason === undefined ? [] : [run.reason]),
    ].join(', ');
    this.#print(`run ${run.runId} (${run.trigger}, ${run.businessDate}): ${run.status}; ${detail}`);
    if (failed === 0) return;
    const { items } = await this.#runLedger.listJobs(run.runId, { status: 'failed', limit: 20 });
    for (const job of items) {
      const key = `${run.runId}/${job.jobId}`;
      if (this.#reportedFailures.has(key)) continue;
      this.#reportedFailures.add(key);
      this.#print(
        `job ${job.jobId} of ${run.runId} failed after ${job.attemptsMade} attempts: ${job.lastError?.message ?? 'no error'}`,
      );
    }
  }
}
