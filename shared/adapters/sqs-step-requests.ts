import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { StepMessage } from '#shared/messages/step-message.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';

/** StepRequests on the SQS queue that feeds the steps consumer (one step at a time: its concurrency is 1). */
export class SqsStepRequests implements StepRequests {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async backfill(backfillId: string, options: { readonly delaySeconds?: number } = {}): Promise<void> {
    await this.#send({ kind: 'backfill', backfillId }, options.delaySeconds);
  }

  async dependents(groupId: string, businessDate: string): Promise<void> {
    await this.#send({ kind: 'dependents', groupId, businessDate });
  }

  async #send(message: StepMessage, delaySeconds?: number): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(message),
        ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }),
      }),
    );
  }
}
