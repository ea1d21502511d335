import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageVisibility } from '#shared/ports/message-visibility.ts';

/** SQS's per-message visibility timeout may be at most 12 hours. */
const maxVisibilitySeconds = 12 * 60 * 60;

/** MessageVisibility of one SQS queue. */
export class SqsMessageVisibility implements MessageVisibility {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async defer(receiptHandle: string, delaySeconds: number): Promise<void> {
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.min(maxVisibilitySeconds, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  }
}
