import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterDepths, QueueDepth } from '#shared/ports/queue-depths.ts';

/** DeadLetterDepths from SQS queue attributes (needs only `sqs:GetQueueAttributes`), one request per queue. */
export class SqsDeadLetterDepths implements DeadLetterDepths {
  readonly #client: Pick<SQSClient, 'send'>;
  readonly #queueUrls: readonly { readonly queue: string; readonly url: string }[];

  /** `queueUrls`: each queue's name in alerts and its URL, in the order they are reported. */
  constructor(options: { client: Pick<SQSClient, 'send'>; queueUrls: Readonly<Record<string, string>> }) {
    this.#client = options.client;
    this.#queueUrls = Object.entries(options.queueUrls).map(([queue, url]) => ({ queue, url }));
  }

  async depths(): Promise<readonly QueueDepth[]> {
    return Promise.all(
      this.#queueUrls.map(async ({ queue, url }) => {
        const { Attributes } = await this.#client.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        const count = (name: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible'): number =>
          Number(Attributes?.[name] ?? 0);
        return {
          queue,
          messages: count('ApproximateNumberOfMessages') + count('ApproximateNumberOfMessagesNotVisible'),
        };
      }),
    );
  }
}
