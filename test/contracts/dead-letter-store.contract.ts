import { beforeEach, describe, expect, it } from 'vitest';
import type { JobMessage, RunJobMessage } from '#shared/messages/run-job-message.ts';
import type { DeadLetterQueue } from '#shared/ports/dead-letter-queue.ts';
import type { DeadLetterEntry, DeadLetterStore, JobDeadLetter } from '#shared/ports/dead-letter-store.ts';
import type { JobQueue, SendJobsResult } from '#shared/ports/job-queue.ts';
import { InMemoryJobQueue } from '#test/fakes/in-memory-job-queue.ts';
import { aRunJobMessage } from '#test/fixtures/builders.ts';

/** A dead-letter queue under test: the worker's end, the admin end, and a look at what it holds. */
export interface DeadLetterStoreHarness {
  readonly writer: DeadLetterQueue;
  readonly store: DeadLetterStore;
  /** Puts a body in the queue the way the job queue's redrive policy moves a message: unchanged. */
  moveFromJobQueue(body: string): Promise<void>;
  /** How many letters are available, of any kind. */
  available(): Promise<number>;
}

const failedAt = '2026-11-27T08:40:00.000Z';
const error = { code: 'upstream_forbidden', message: 'HTTP 403' };

/** A job queue that refuses the messages of the given job ids. */
class RefusingJobQueue implements JobQueue {
  readonly delivered = new InMemoryJobQueue();
  readonly #refused: ReadonlySet<string>;

  constructor(refusedJobIds: readonly string[]) {
    this.#refused = new Set(refusedJobIds);
  }

  async send(messages: readonly JobMessage[]): Promise<SendJobsResult> {
    const refused = messages.filter((message) => 'jobId' in message && this.#refused.has(message.jobId));
    await this.delivered.send(messages.filter((message) => !refused.includes(message)));
    return { sent: messages.length - refused.length, failed: refused.map((message) => ({ message, error: 'nope' })) };
  }
}

const jobIdsOf = (entries: readonly (DeadLetterEntry | JobMessage)[]): string[] =>
  entries
    .map((entry) => ('kind' in entry ? (entry.kind === 'job' ? entry.message : undefined) : entry))
    .flatMap((message) => (message !== undefined && 'jobId' in message ? [message.jobId] : []))
    .sort();

/** The behaviour every DeadLetterStore must have; run against the fake (unit) and SQS on moto (integration). */
export function describeDeadLetterStoreContract(name: string, createHarness: () => Promise<DeadLetterStoreHarness>) {
  describe(`DeadLetterStore contract: ${name}`, () => {
    let harness: DeadLetterStoreHarness;
    beforeEach(async () => {
      harness = await createHarness();
    });

    async function aLetter(overrides: Partial<RunJobMessage> = {}): Promise<RunJobMessage> {
      const message = aRunJobMessage(overrides);
      await harness.writer.send({ message, error, attemptsMade: 2, failedAt });
      return message;
    }

    it('shows job letters and unreadable ones without removing them', async () => {
      const message = await aLetter({ jobId: 'a' });
      await aLetter({ jobId: 'b' });
      await harness.writer.sendUnreadable('{"not": "a job"}', { code: 'unreadable_message', message: 'no' }, failedAt);
      const first = await harness.store.peek({ limit: 10 });
      expect(first).toHaveLength(3);
      expect(
        first.find((entry) => entry.kind === 'job' && 'jobId' in entry.message && entry.message.jobId === 'a'),
      ).toMatchObject({
        kind: 'job',
        movedBy: 'worker',
        message,
        error,
        attemptsMade: 2,
        failedAt,
      });
      expect(first.find((entry) => entry.kind === 'unreadable')).toMatchObject({
        body: '{"not": "a job"}',
        error: { code: 'unreadable_message' },
        failedAt,
      });
      const second = await harness.store.peek({ limit: 10 });
      expect(second.map((entry) => entry.id).sort()).toEqual(first.map((entry) => entry.id).sort());
      expect(await harness.available()).toBe(3);
    });

    it('filters what it shows by group and by run, and stops at the limit', async () => {
      await aLetter({ jobId: 'a', groupId: 'bars', runId: 'bars.1' });
      await aLetter({ jobId: 'b', groupId: 'bars', runId: 'bars.2' });
      await aLetter({ jobId: 'c', groupId: 'fins', runId: 'fins.1' });
      await harness.writer.sendUnreadable('garbage', { code: 'unreadable_message', message: 'no' }, failedAt);
      expect(jobIdsOf(await harness.store.peek({ filter: { groupId: 'bars' }, limit: 10 }))).toEqual(['a', 'b']);
      expect(jobIdsOf(await harness.store.peek({ filter: { runId: 'bars.2' }, limit: 10 }))).toEqual(['b']);
      expect(await harness.store.peek({ filter: { groupId: 'fins', runId: 'bars.1' }, limit: 10 })).toEqual([]);
      expect(await harness.store.peek({ limit: 2 })).toHaveLength(2);
      expect(await harness.available()).toBe(4);
    });

    it('reads a message that the job queue itself moved as a letter to redrive, with when it was sent', async () => {
      const moved = { ...aRunJobMessage({ jobId: 'moved' }) };
      const before = Date.now();
      await harness.moveFromJobQueue(JSON.stringify(moved));
      const [entry] = await harness.store.peek({ limit: 10 });
      expect(entry).toMatchObject({ kind: 'job', movedBy: 'queue', message: moved });
      const sentMs = Date.parse(entry?.kind === 'job' ? (entry.sentAt ?? '') : '');
      expect(sentMs).toBeGreaterThanOrEqual(before - 1_000);
      expect(sentMs).toBeLessThanOrEqual(Date.now() + 1_000);
      expect(entry?.kind === 'job' ? entry.error.code : undefined).toBe('receive_limit_exceeded');
      const target = new InMemoryJobQueue();
      expect(await harness.store.redrive({}, target)).toMatchObject({ redriven: 1 });
      expect(target.drain()).toEqual([moved]);
    });

    it('redrives the matching letters to the job queue and leaves every other letter', async () => {
      const a = await aLetter({ jobId: 'a', groupId: 'bars' });
      const b = await aLetter({ jobId: 'b', groupId: 'bars' });
      await aLetter({ jobId: 'c', groupId: 'fins' });
      await harness.writer.sendUnreadable('garbage', { code: 'unreadable_message', message: 'no' }, failedAt);
      const target = new InMemoryJobQueue();
      const result = await harness.store.redrive({ groupId: 'bars' }, target);
      expect(result).toEqual({ redriven: 2, discarded: 0, skipped: 0, failed: [], more: false });
      expect(jobIdsOf(target.drain())).toEqual(jobIdsOf([a, b]));
      expect(jobIdsOf(await harness.store.peek({ limit: 10 }))).toEqual(['c']);
      expect(await harness.available()).toBe(2);
    });

    it('never redrives an unreadable letter', async () => {
      await aLetter({ jobId: 'a' });
      await harness.writer.sendUnreadable('garbage', { code: 'unreadable_message', message: 'no' }, failedAt);
      const target = new InMemoryJobQueue();
      expect(await harness.store.redrive({}, target)).toMatchObject({ redriven: 1, skipped: 1 });
      expect(jobIdsOf(target.drain())).toEqual(['a']);
      expect(await harness.store.peek({ limit: 10 })).toMatchObject([{ kind: 'unreadable', body: 'garbage' }]);
    });

    it('sends, discards or keeps each letter as the decision says', async () => {
      await aLetter({ jobId: 'send' });
      await aLetter({ jobId: 'discard' });
      await aLetter({ jobId: 'keep' });
      const decided: string[] = [];
      const target = new InMemoryJobQueue();
      const result = await harness.store.redrive({}, target, {
        decide: async (letter: JobDeadLetter) => {
          const jobId = 'jobId' in letter.message ? letter.message.jobId : '';
          decided.push(jobId);
          return jobId === 'discard' ? 'discard' : jobId === 'keep' ? 'keep' : 'send';
        },
      });
      expect(result).toEqual({ redriven: 1, discarded: 1, skipped: 1, failed: [], more: false });
      expect(decided.sort()).toEqual(['discard', 'keep', 'send']);
      expect(jobIdsOf(target.drain())).toEqual(['send']);
      expect(jobIdsOf(await harness.store.peek({ limit: 10 }))).toEqual(['keep']);
    });

    it('keeps a letter whose message the job queue refused', async () => {
      await aLetter({ jobId: 'ok' });
      await aLetter({ jobId: 'refused' });
      const target = new RefusingJobQueue(['refused']);
      const result = await harness.store.redrive({}, target);
      expect(result).toMatchObject({ redriven: 1, discarded: 0, skipped: 0, more: false });
      expect(result.failed.map(({ letter, error: reason }) => [jobIdsOf([letter]), reason])).toEqual([
        [['refused'], 'nope'],
      ]);
      expect(jobIdsOf(target.delivered.drain())).toEqual(['ok']);
      expect(jobIdsOf(await harness.store.peek({ limit: 10 }))).toEqual(['refused']);
    });

    it('stops a redrive at its limit and says that more letters may wait', async () => {
      for (const jobId of ['a', 'b', 'c']) await aLetter({ jobId });
      const target = new InMemoryJobQueue();
      expect(await harness.store.redrive({}, target, { limit: 2 })).toMatchObject({ redriven: 2, more: true });
      expect(await harness.store.redrive({}, target, { limit: 2 })).toMatchObject({ redriven: 1, more: false });
      expect(jobIdsOf(target.drain())).toEqual(['a', 'b', 'c']);
      expect(await harness.available()).toBe(0);
    });
  });
}
