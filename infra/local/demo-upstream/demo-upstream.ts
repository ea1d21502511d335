import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { type DemoAnswer, jsonAnswer } from './demo-answer.ts';
import { answerControl, type DemoControls } from './demo-control.ts';
import {
  type DemoFault,
  DemoFaultSchema,
  defaultSlowDelayMs,
  FaultSwitch,
  faultAnswer,
  invalidKeyBody,
} from './demo-faults.ts';
import { createDemoMarket } from './demo-market.ts';
import { JquantsResponder } from './jquants-answer.ts';
import { todayInTokyo } from './jquants-params.ts';
import { type DemoPlan, DemoPlanSchema, type DemoPlanWindow, demoPlanWindow } from './plan-window.ts';
import { RateWindow } from './rate-window.ts';
import { answerYahooChart } from './yahoo-routes.ts';

/** How to start a demo upstream. */
export interface DemoUpstreamOptions {
  /** The J-Quants key it accepts. @default 'demo-key' */
  apiKey?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** J-Quants limit over a sliding 60 s window per key; 0 = unlimited. @default 500 */
  requestsPerMinute?: number;
  /**
   * The key's J-Quants plan: a request for dates outside its window answers 403 (jquants-v2.md §2). It sets no rate
   * limit: that is `requestsPerMinute`. @default 'premium'
   */
  plan?: DemoPlan;
  /** Rows per J-Quants page before a `pagination_key`. @default 1000 */
  pageSize?: number;
  /** @default 300 */
  listedCodeCount?: number;
}

/** One request the demo upstream answered. */
export interface DemoRequest {
  readonly method: string;
  /** e.g. `/v2/equities/bars/daily` or `/v8/finance/chart/7203.T`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  /** When it arrived, ms since the epoch. */
  readonly at: number;
}

/** A running demo upstream. */
export interface DemoUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `${url}/v2`: the J-Quants paths are relative to it. */
  readonly jquantsBaseUrl: string;
  /** `${url}`: serves `/v8/finance/chart/{symbol}`. */
  readonly yahooBaseUrl: string;
  /** The listed codes (5 characters; some contain letters, e.g. `130A0`). */
  readonly codes: readonly string[];
  /** Every request received: method, path, query, status, at (ms) — for tests that count upstream requests. */
  readonly requests: readonly DemoRequest[];
  /** Switchable faults for tests: the next `count` matching requests (path prefix, default all) get the fault. */
  injectFault(fault: DemoFault): void;
  clearFaults(): void;
  setRequestsPerMinute(limit: number): void;
  /** The plan and the dates it serves today. */
  planWindow(): DemoPlanWindow;
  /** Switches the key's plan, and so the dates it serves. */
  setPlan(plan: DemoPlan): void;
  resetRequests(): void;
  close(): Promise<void>;
}

const compress = promisify(gzip);
const host = '127.0.0.1';
const jquantsPrefix = '/v2';
const chartPrefix = '/v8/finance/chart/';
const yahooNotFound = { finance: { result: null, error: { code: 'Not Found', description: 'HTTP 404 Not Found' } } };

/**
 * Starts one loopback HTTP server speaking J-Quants API V2 (under `/v2`, x-api-key, pagination, 429 over the limit,
 * 403 on a bad key or for dates outside the plan) and the Yahoo chart API, over deterministic generated data; `/__demo/*` controls it over HTTP.
 */
export async function startDemoUpstream(options: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const apiKey = options.apiKey ?? 'demo-key';
  const requestsPerMinute = checkCount('requestsPerMinute', options.requestsPerMinute ?? 500, 0);
  const pageSize = checkCount('pageSize', options.pageSize ?? 1000, 1);
  const market = createDemoMarket(options.listedCodeCount ?? 300);
  const jquants = new JquantsResponder(market, pageSize, DemoPlanSchema.parse(options.plan ?? 'premium'));
  const faults = new FaultSwitch();
  const rateWindow = new RateWindow(requestsPerMinute);
  const requests: DemoRequest[] = [];
  const closing = new AbortController();

  const answerUpstream = async (request: IncomingMessage, url: URL): Promise<DemoAnswer> => {
    const path = url.pathname;
    const isJquants = path === jquantsPrefix || path.startsWith(`${jquantsPrefix}/`);
    const fault = faults.take(path);
    if (fault?.kind === 'slow') await sleep(fault.delayMs ?? defaultSlowDelayMs, undefined, { signal: closing.signal });
    else if (fault !== undefined) return faultAnswer(fault.kind, isJquants ? 'jquants' : 'yahoo');
    if (isJquants) {
      const key = request.headers['x-api-key'];
      if (key !== apiKey) return jsonAnswer(403, invalidKeyBody);
      const relativePath = path.slice(jquantsPrefix.length);
      if (!rateWindow.admit(key, relativePath, Date.now())) return jsonAnswer(429, { message: 'Rate limit exceeded' });
      return jquants.answer(request.method ?? 'GET', relativePath, url.searchParams);
    }
    if (path.startsWith(chartPrefix)) return answerYahooChart(path.slice(chartPrefix.length), url.searchParams, market);
    return jsonAnswer(404, yahooNotFound);
  };

  const controls: DemoControls = {
    requests,
    injectFault: (fault) => faults.add(DemoFaultSchema.parse(fault)),
    clearFaults: () => faults.clear(),
    setRequestsPerMinute: (limit) => {
      rateWindow.limit = checkCount('requestsPerMinute', limit, 0);
    },
    planWindow: () => demoPlanWindow(jquants.plan, todayInTokyo()),
    setPlan: (plan) => {
      jquants.plan = DemoPlanSchema.parse(plan);
    },
    resetRequests: () => {
      requests.length = 0;
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const at = Date.now();
    const url = new URL(request.url ?? '/', `http://${host}`);
    if (url.pathname.startsWith('/__demo/')) {
      await send(request, response, await answerControl(request, url.pathname, controls));
      return;
    }
    request.resume();
    const answer = await answerUpstream(request, url);
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: request.method ?? 'GET', path: url.pathname, query, status: answer.status, at });
    await send(request, response, answer);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Closing aborts the waits of slow answers; anything else is a bug of the demo, surfaced as a 500 naming it.
      if (closing.signal.aborted || response.headersSent) response.destroy();
      else response.writeHead(500, { 'content-type': 'text/plain' }).end(`demo upstream failure: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    ...controls,
    url,
    jquantsBaseUrl: `${url}${jquantsPrefix}`,
    yahooBaseUrl: url,
    codes: market.issues.map((issue) => issue.code),
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sends an answer, gzipped when the client accepts it (J-Quants compresses its answers; Node's fetch asks). */
async function send(request: IncomingMessage, response: ServerResponse, answer: DemoAnswer): Promise<void> {
  if (answer.status === 204) {
    response.writeHead(204).end();
    return;
  }
  const headers: Record<string, string | number> = { 'content-type': answer.contentType };
  let body: Buffer | string = answer.body;
  if (/\bgzip\b/i.test(request.headers['accept-encoding'] ?? '')) {
    body = await compress(answer.body, { level: constants.Z_BEST_SPEED });
    headers['content-encoding'] = 'gzip';
    headers.vary = 'Accept-Encoding';
  }
  headers['content-length'] = Buffer.byteLength(body);
  response.writeHead(answer.status, headers).end(body);
}

function checkCount(name: string, value: number, smallest: number): number {
  if (!Number.isSafeInteger(value) || value < smallest) {
    throw new RangeError(`${name} must be an integer ≥ ${smallest}, got ${value}`);
  }
  return value;
}
