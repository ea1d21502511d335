import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, expect, type MockInstance, vi } from 'vitest';
import * as z from '#shared/zod.ts';

/** One recorded exchange of `test/fixtures/yahoo/` (only the fields the tests read). */
export const YahooRecordingSchema = z.object({
  request: z.object({ url: z.string() }),
  response: z.object({ status: z.number(), bodyJson: z.unknown() }),
});
export type YahooRecording = z.infer<typeof YahooRecordingSchema> & { readonly file: string };

const fixturesDirectory = new URL('../../fixtures/yahoo/', import.meta.url);

/** Every recording in `test/fixtures/yahoo/`, by file name. */
export function loadYahooRecordings(): YahooRecording[] {
  return readdirSync(fixturesDirectory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      ...YahooRecordingSchema.parse(JSON.parse(readFileSync(new URL(file, fixturesDirectory), 'utf8'))),
    }));
}

/** What the loopback server answers for one path; `gzip` sends the body gzip-encoded with `Content-Encoding: gzip`. */
export type YahooAnswer =
  | { readonly status: number; readonly json: unknown; readonly headers?: Record<string, string>; readonly gzip?: true }
  | { readonly status: number; readonly text: string; readonly headers?: Record<string, string>; readonly gzip?: true }
  | { readonly hang: true };

/** A loopback HTTP server standing in for query2.finance.yahoo.com. */
export interface YahooLoopback {
  readonly baseUrl: string;
  /** Decoded paths and queries of the requests received, in order. */
  readonly requests: string[];
  answer(path: string, answer: YahooAnswer): void;
  close(): Promise<void>;
}

/** Starts a server on a free loopback port; unknown paths answer Yahoo's 404. */
export async function startYahooLoopback(): Promise<YahooLoopback> {
  const answers = new Map<string, YahooAnswer>();
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://loopback');
    // fetch percent-encodes `^` (`^N225` arrives as `%5EN225`), as it does on the way to Yahoo.
    const path = decodeURIComponent(url.pathname);
    requests.push(`${path}${url.search}`);
    const answer = answers.get(path) ?? notFound;
    if ('hang' in answer) return;
    const text = 'json' in answer ? JSON.stringify(answer.json) : answer.text;
    const contentType = 'json' in answer ? 'application/json;charset=utf-8' : 'text/plain';
    const encoding = answer.gzip === true ? { 'content-encoding': 'gzip' } : {};
    response.writeHead(answer.status, { 'content-type': contentType, ...encoding, ...answer.headers });
    response.end(answer.gzip === true ? gzipSync(text) : text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    answer: (path, answer) => {
      answers.set(path, answer);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A loopback server for the tests of one file: started before them (then `prepare` runs, e.g. to load recorded
 * answers), closed after them, its request log emptied before each test.
 */
export function yahooLoopbackPerFile(prepare?: (loopback: YahooLoopback) => void): YahooLoopback {
  let started: YahooLoopback | undefined;
  const current = (): YahooLoopback => {
    if (started === undefined) throw new Error('the Yahoo loopback is started in beforeAll');
    return started;
  };
  beforeAll(async () => {
    started = await startYahooLoopback();
    prepare?.(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(() => {
    current().requests.length = 0;
  });
  return {
    get baseUrl() {
      return current().baseUrl;
    },
    get requests() {
      return current().requests;
    },
    answer: (path, answer) => current().answer(path, answer),
    close: () => current().close(),
  };
}

/** Fails any test of the file that writes to the console: yahoo-finance2 must stay silent (no notices, no logs). */
export function expectSilentConsolePerTest(): void {
  let spies: MockInstance[] = [];
  beforeEach(() => {
    spies = (['log', 'info', 'warn', 'error', 'debug', 'dir'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(() => undefined),
    );
  });
  afterEach(() => {
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });
}

/** A loopback port with nothing listening on it. */
export async function closedLoopbackUrl(): Promise<string> {
  const loopback = await startYahooLoopback();
  await loopback.close();
  return loopback.baseUrl;
}

const notFound: YahooAnswer = {
  status: 404,
  json: { chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } },
};
