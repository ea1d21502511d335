import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Notices when the emulator under a running sandbox goes away or restarts: moto keeps no state across a restart,
 * so the tables, queues and schedules the sandbox provisioned are gone and nothing it does can work. After
 * `failuresBeforeVerdict` failed checks in a row it reports what it saw, once.
 */
export function watchEmulator(options: {
  client: Pick<DynamoDBClient, 'send'>;
  tableName: string;
  intervalMs?: number;
  failuresBeforeVerdict?: number;
  onLost: (reason: string) => void;
}): () => Promise<void> {
  let failures = 0;
  let reported = false;
  let running: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    try {
      await options.client.send(new DescribeTableCommand({ TableName: options.tableName }));
      failures = 0;
    } catch (error) {
      failures++;
      if (failures < (options.failuresBeforeVerdict ?? 3) || reported) return;
      reported = true;
      const name = error instanceof Error ? error.name : '';
      options.onLost(
        name === 'ResourceNotFoundException'
          ? `the AWS emulator no longer has table ${options.tableName}: it restarted and lost its state`
          : `the AWS emulator stopped answering (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  };
  const timer = setInterval(() => {
    running ??= check().finally(() => {
      running = undefined;
    });
  }, options.intervalMs ?? 2_000);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
