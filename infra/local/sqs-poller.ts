import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** A queue consumer: the Lambda handler of an SQS event source mapping with ReportBatchItemFailures. */
export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

/** Options of one SQS poller (one event source mapping). */
export interface SqsPollerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly handler: SqsHandler;
  /** Messages per invocation (the mapping's BatchSize, ≤ 10). */
  readonly batchSize: number;
  /** Invocations in flight at once (the mapping's MaximumConcurrency). */
  readonly maxConcurrency: number;
  /** Long-poll wait per receive. @default 1 */
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Stands in for Lambda's SQS event source mapping against moto (which must never hold a real mapping: it would
 * consume the messages itself). `maxConcurrency` loops each long-poll a batch, invoke the handler with a
 * Lambda-shaped event, and delete what succeeded: everything but the reported `batchItemFailures`; nothing when
 * the handler throws or reports an identifier that is not in the batch, as Lambda does.
 */
export class SqsPoller {
  readonly #options: SqsPollerOptions;
  #running = false;
  #loops: Promise<void>[] = [];
  #abort = new AbortController();

  constructor(options: SqsPollerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.#loops = Array.from({ length: this.#options.maxConcurrency }, () => this.#loop());
  }

  /** Stops receiving and waits for the batches in hand. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await Promise.all(this.#loops);
  }

  /** Receives and handles one batch; resolves to the number of messages received. */
  async pollOnce(): Promise<number> {
    const { Messages = [] } = await this.#options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: this.#options.batchSize,
        WaitTimeSeconds: this.#options.waitTimeSeconds ?? 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.#abort.signal },
    );
    if (Messages.length === 0) return 0;
    const records = Messages.map((message) => this.#recordOf(message));
    const failed = await this.#invoke(records);
    const succeeded = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
    if (succeeded.length > 0) {
      await this.#options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: succeeded.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    return Messages.length;
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      try {
        await this.pollOnce();
      } catch (error) {
        if (!this.#running) return;
        this.#options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** The message ids to leave on the queue. */
  async #invoke(records: SQSRecord[]): Promise<Set<string>> {
    const all = new Set(records.map((record) => record.messageId));
    try {
      const response = await this.#options.handler({ Records: records });
      const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      return [...failed].every((id) => all.has(id)) ? failed : all;
    } catch (error) {
      this.#options.onError?.(error);
      return all;
    }
  }

  #recordOf(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.#options.queueArn,
      awsRegion: this.#options.region,
    };
  }
}
