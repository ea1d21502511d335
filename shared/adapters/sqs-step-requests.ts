import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BackfillStepMessage } from '#shared/messages/backfill-step-message.ts';
import type { BackfillSteps } from '#shared/ports/backfill-steps.ts';

/** BackfillSteps on the SQS queue that feeds `advance-backfill` (one step at a time: its concurrency is 1). */
export class SqsBackfillSteps implements BackfillSteps {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async request(backfillId: string, options: { readonly delaySeconds?: number } = {}): Promise<void> {
    const message: BackfillStepMessage = { backfillId };
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(message),
        ...(options.delaySeconds === undefined ? {} : { DelaySeconds: options.delaySeconds }),
      }),
    );
  }
}
