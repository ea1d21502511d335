import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobError } from '#shared/domain/run.ts';
import type { DeadLetter, DeadLetterQueue } from '#shared/ports/dead-letter-queue.ts';

/**
 * DeadLetterQueue on a data source's SQS dead-letter queue. The application dead-letters jobs itself (with their
 * last error), so the queue's own redrive (`maxReceiveCount`) is only a safety net.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async send(letter: DeadLetter): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: {
          errorCode: { DataType: 'String', StringValue: letter.error.code },
          runId: { DataType: 'String', StringValue: letter.message.runId },
          groupId: { DataType: 'String', StringValue: letter.message.groupId },
        },
      }),
    );
  }

  async sendUnreadable(body: string, error: JobError, at: string): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify({ unreadable: body, error, failedAt: at }),
        MessageAttributes: { errorCode: { DataType: 'String', StringValue: error.code } },
      }),
    );
  }
}
