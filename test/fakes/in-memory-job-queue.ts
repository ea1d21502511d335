import type { JobMessage } from '#shared/messages/run-job-message.ts';
import type { JobQueue, SendJobsResult } from '#shared/ports/job-queue.ts';

/** JobQueue in memory: messages wait in `messages` until a test drains them. */
export class InMemoryJobQueue implements JobQueue {
  readonly messages: { message: JobMessage; delaySeconds: number }[] = [];

  async send(messages: readonly JobMessage[], options: { delaySeconds?: number } = {}): Promise<SendJobsResult> {
    for (const message of messages) {
      this.messages.push({ message: structuredClone(message), delaySeconds: options.delaySeconds ?? 0 });
    }
    return { sent: messages.length, failed: [] };
  }

  /** Removes and returns every waiting message. */
  drain(): JobMessage[] {
    return this.messages.splice(0).map((entry) => entry.message);
  }
}
