import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '#shared/adapters/aws-clients.ts';
import { isLoopbackUrl } from '#shared/adapters/aws-endpoint.ts';
import { SqsDeadLetterQueue } from '#shared/adapters/sqs-dead-letter-queue.ts';
import { SqsDeadLetterStore } from '#shared/adapters/sqs-dead-letter-store.ts';
import { describeDeadLetterStoreContract } from '#test/contracts/dead-letter-store.contract.ts';

const sqs = createSqsClient();
let sequence = 0;

describeDeadLetterStoreContract('SQS on moto', async () => {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `dead-letters-${++sequence}-${Date.now()}` }),
  );
  if (QueueUrl === undefined || !isLoopbackUrl(QueueUrl)) throw new Error(`unexpected queue URL ${QueueUrl}`);
  return {
    writer: new SqsDeadLetterQueue({ client: sqs, queueUrl: QueueUrl }),
    // The emulator answers every receive from all its messages: no long poll is needed to see them all.
    store: new SqsDeadLetterStore({ client: sqs, queueUrl: QueueUrl, waitTimeSeconds: 0 }),
    moveFromJobQueue: async (body) => {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    },
    available: async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      if (Attributes.ApproximateNumberOfMessagesNotVisible !== '0') {
        throw new Error(`${Attributes.ApproximateNumberOfMessagesNotVisible} letters are still hidden`);
      }
      return Number(Attributes.ApproximateNumberOfMessages);
    },
  };
});
