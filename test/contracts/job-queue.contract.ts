import { beforeEach, describe, expect, it } from 'vitest';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { JobQueue } from '#shared/ports/job-queue.ts';
import { aRunJobMessage } from '#test/fixtures/builders.ts';

/** A queue under test and a way to read back what reached it. */
export interface JobQueueHarness {
  readonly queue: JobQueue;
  /** Every message delivered so far (waits for delayed ones only if `includeDelayed`). */
  received(): Promise<JobMessage[]>;
}

/** The behaviour every JobQueue must have; run against the fake (unit) and SQS on moto (integration). */
export function describeJobQueueContract(name: string, createHarness: () => Promise<JobQueueHarness>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let harness: JobQueueHarness;
    beforeEach(async () => {
      harness = await createHarness();
    });

    it('delivers every message of a large send exactly as sent', async () => {
      const messages = Array.from({ length: 95 }, (_, index) => aRunJobMessage({ jobId: `job-${index}` }));
      const result = await harness.queue.send(messages);
      expect(result).toEqual({ sent: 95, failed: [] });
      const received = await harness.received();
      expect(received.map((message) => ('jobId' in message ? message.jobId : '')).sort()).toEqual(
        messages.map((message) => message.jobId).sort(),
      );
      expect(received.find((message) => 'jobId' in message && message.jobId === 'job-7')).toEqual(messages[7]);
    });

    it('sends nothing for an empty list', async () => {
      expect(await harness.queue.send([])).toEqual({ sent: 0, failed: [] });
      expect(await harness.received()).toEqual([]);
    });

    it('carries date-wide fetch messages too', async () => {
      const message = { ...aRunJobMessage(), version: 2 as const, date: '2026-11-27' };
      const { jobId: _jobId, params: _params, ...fetchDate } = message;
      await harness.queue.send([fetchDate]);
      expect(await harness.received()).toEqual([fetchDate]);
    });

    it('keeps letters and unicode in params intact', async () => {
      const message = aRunJobMessage({ params: { code: '130A0', note: '日本語', nested: { list: [1, null] } } });
      await harness.queue.send([message]);
      expect(await harness.received()).toEqual([message]);
    });
  });
}
