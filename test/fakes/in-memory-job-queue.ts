import type { RunJobMessage } from '#shared/messages/run-job-message.ts';
import type { JobQueue, SendJobsResult } from '#shared/ports/job-queue.ts';

/** JobQueue in memory: messages wait in `messages` until a test drains them. */
export class InMemoryJobQueue implements JobQueue {
  readonly messages: { message: RunJobMessage; delaySeconds: number }[] = [];

  async send(messages: readonly RunJobMessage[], options: { delaySeconds?: number } = {}): Promise<SendJobsResult> {
    for (const message of messages) {
      this.messages.push({ message: structuredClone(message), delaySeconds: options.delaySeconds ?? 0 });
    }
    return { sent: messages.length, failed: [] };
  }

  /** Removes and returns every waiting message. */
  drain(): RunJobMessage[] {
    return this.messages.splice(0).map((entry) => entry.message);
  }
}
