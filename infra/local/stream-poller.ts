import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/** A stream consumer: the Lambda handler of an event source mapping with ReportBatchItemFailures. */
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

/** Options of one stream poller (one event source mapping). */
export interface StreamPollerOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly region: string;
  readonly handler: StreamHandler;
  /** Records per invocation. @default 10 */
  readonly batchSize?: number;
  /** Times a failing record is retried before it is discarded (the mapping's MaximumRetryAttempts). @default 3 */
  readonly maximumRetryAttempts?: number;
  readonly onDiscard?: (record: DynamoDBRecord, error: string) => void;
}

/**
 * Stands in for Lambda's DynamoDB stream event source mapping against moto. Every poll asks for a fresh shard
 * iterator after the last processed sequence number: moto's `NextShardIterator` chains go stale (a cancelled
 * transaction leaves them on an orphaned shard copy). Batch item failures checkpoint at the lowest failed record,
 * which is retried up to `maximumRetryAttempts` times, then discarded and reported.
 */
export class StreamPoller {
  readonly #options: StreamPollerOptions;
  readonly #lastSequenceByShard = new Map<string, string>();
  readonly #failuresBySequence = new Map<string, number>();

  constructor(options: StreamPollerOptions) {
    this.#options = options;
  }

  /** Delivers at most one batch per shard; resolves to the number of records the handler took. */
  async pollOnce(): Promise<number> {
    const { StreamDescription } = await this.#options.client.send(
      new DescribeStreamCommand({ StreamArn: this.#options.streamArn }),
    );
    let delivered = 0;
    for (const shard of StreamDescription?.Shards ?? []) {
      if (shard.ShardId !== undefined) delivered += await this.#pollShard(shard.ShardId);
    }
    return delivered;
  }

  /** Polls until a poll finds nothing new. */
  async drain(): Promise<void> {
    while ((await this.pollOnce()) > 0) {
      // keep going until the stream is quiet
    }
  }

  async #pollShard(shardId: string): Promise<number> {
    const after = this.#lastSequenceByShard.get(shardId);
    const { ShardIterator } = await this.#options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.#options.streamArn,
        ShardId: shardId,
        ...(after === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
      }),
    );
    if (ShardIterator === undefined) return 0;
    const { Records = [] } = await this.#options.client.send(
      new GetRecordsCommand({ ShardIterator, Limit: this.#options.batchSize ?? 10 }),
    );
    if (Records.length === 0) return 0;

    const records = Records.map((record) => this.#lambdaRecordOf(record));
    const failedAt = await this.#invoke(records);
    const processed = failedAt === undefined ? records : records.slice(0, failedAt);
    const last = processed.at(-1)?.dynamodb?.SequenceNumber;
    if (last !== undefined) this.#lastSequenceByShard.set(shardId, last);
    if (failedAt !== undefined) this.#countFailure(shardId, records[failedAt]);
    return processed.length;
  }

  /** Runs the handler; the index of the first record to retry, or undefined when all succeeded. */
  async #invoke(records: DynamoDBRecord[]): Promise<number | undefined> {
    try {
      const response = await this.#options.handler({ Records: records });
      const failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      if (failedIds.size === 0) return undefined;
      const index = records.findIndex((record) => failedIds.has(record.dynamodb?.SequenceNumber ?? ''));
      // An identifier that names no record of the batch fails the whole batch, as Lambda does.
      return index === -1 ? 0 : index;
    } catch {
      return 0;
    }
  }

  #countFailure(shardId: string, failed: DynamoDBRecord | undefined): void {
    const sequence = failed?.dynamodb?.SequenceNumber;
    if (failed === undefined || sequence === undefined) return;
    const failures = (this.#failuresBySequence.get(sequence) ?? 0) + 1;
    if (failures <= (this.#options.maximumRetryAttempts ?? 3)) {
      this.#failuresBySequence.set(sequence, failures);
      return;
    }
    this.#failuresBySequence.delete(sequence);
    this.#lastSequenceByShard.set(shardId, sequence);
    this.#options.onDiscard?.(failed, `failed ${failures} times`);
  }

  #lambdaRecordOf(record: StreamRecord): DynamoDBRecord {
    const created = record.dynamodb?.ApproximateCreationDateTime;
    return {
      eventID: record.eventID ?? '',
      eventName: record.eventName as DynamoDBRecord['eventName'],
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      // Moto always says us-east-1; Lambda reports the stream's own region.
      awsRegion: this.#options.region,
      eventSourceARN: this.#options.streamArn,
      dynamodb: {
        ...(record.dynamodb as DynamoDBRecord['dynamodb']),
        ...(created === undefined
          ? {}
          : { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) }),
      },
    };
  }
}
