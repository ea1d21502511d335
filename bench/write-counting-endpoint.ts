import { Agent, createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { DynamoDbWriteTally } from '#test/fixtures/dynamodb-write-tally.ts';

/** A loopback endpoint in front of the emulator. */
export interface WriteCountingEndpoint {
  /** `http://127.0.0.1:<port>`: give it to the sandbox as its AWS endpoint. */
  readonly url: string;
  /** Write calls the emulator refused (a condition that did not hold, a bad request), while the tally counted. */
  readonly refusedWrites: number;
  close(): Promise<void>;
}

const dynamoDbTarget = 'DynamoDB_20120810.';

/**
 * Passes every request on to the emulator at `target` unchanged and counts DynamoDB's write calls in `tally`, so the
 * calls of every function the sandbox runs are counted where they leave the process, with no hook in their code.
 * DynamoDB's JSON protocol names the operation in `X-Amz-Target` and the table in the body.
 */
export async function startWriteCountingEndpoint(
  target: string,
  tally: DynamoDbWriteTally,
): Promise<WriteCountingEndpoint> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let refusedWrites = 0;

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(incoming.headers['x-amz-target'] ?? '');
    const isDynamoDb = operation.startsWith(dynamoDbTarget);
    const before = tally.total;
    if (isDynamoDb) tally.record(operation.slice(dynamoDbTarget.length), parseBody(body));
    const counted = tally.total > before;
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const sent = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
          agent,
        },
        resolve,
      );
      sent.once('error', reject);
      sent.end(body);
    });
    if (counted && (answer.statusCode ?? 500) >= 400) refusedWrites += 1;
    outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
    await pipeline(answer, outgoing);
  };

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(`counting endpoint: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get refusedWrites() {
      return refusedWrites;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
