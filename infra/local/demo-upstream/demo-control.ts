import type { IncomingMessage } from 'node:http';
import * as z from '#shared/zod.ts';
import { type DemoAnswer, jsonAnswer } from './demo-answer.ts';
import { DemoFaultSchema } from './demo-faults.ts';
import type { DemoUpstream } from './demo-upstream.ts';
import { DemoPlanSchema } from './plan-window.ts';

/** The parts of a demo upstream that `/__demo/*` drives. */
export type DemoControls = Pick<
  DemoUpstream,
  'requests' | 'injectFault' | 'clearFaults' | 'setRequestsPerMinute' | 'planWindow' | 'setPlan' | 'resetRequests'
>;

const RateLimitBodySchema = z.strictObject({ requestsPerMinute: z.int().check(z.gte(0)) });
const PlanBodySchema = z.strictObject({ plan: DemoPlanSchema });
const largestBodyBytes = 64 * 1024;
const noContent: DemoAnswer = { status: 204, contentType: 'text/plain', body: '' };

/**
 * The HTTP face of the test controls, for tests that run the demo in another process (no auth):
 * `POST /__demo/faults` (body: a fault), `DELETE /__demo/faults`, `GET /__demo/requests`, `DELETE /__demo/requests`,
 * `PUT /__demo/rate-limit` (body: `{"requestsPerMinute": n}`), `GET /__demo/plan` (the plan and the dates it serves
 * today), `PUT /__demo/plan` (body: `{"plan": "free" | "light" | "standard" | "premium"}`).
 */
export async function answerControl(
  request: IncomingMessage,
  path: string,
  controls: DemoControls,
): Promise<DemoAnswer> {
  const route = `${request.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'POST /__demo/faults':
      return withBody(request, DemoFaultSchema, (fault) => controls.injectFault(fault));
    case 'DELETE /__demo/faults':
      request.resume();
      controls.clearFaults();
      return noContent;
    case 'GET /__demo/requests':
      request.resume();
      return jsonAnswer(200, { requests: controls.requests });
    case 'DELETE /__demo/requests':
      request.resume();
      controls.resetRequests();
      return noContent;
    case 'PUT /__demo/rate-limit':
      return withBody(request, RateLimitBodySchema, (body) => controls.setRequestsPerMinute(body.requestsPerMinute));
    case 'GET /__demo/plan':
      request.resume();
      return jsonAnswer(200, controls.planWindow());
    case 'PUT /__demo/plan':
      return withBody(request, PlanBodySchema, (body) => controls.setPlan(body.plan));
    default:
      request.resume();
      return jsonAnswer(404, { message: `no demo control ${route}` });
  }
}

async function withBody<Body>(
  request: IncomingMessage,
  schema: z.ZodMiniType<Body>,
  apply: (body: Body) => void,
): Promise<DemoAnswer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > largestBodyBytes) return jsonAnswer(413, { message: 'the body is larger than 64 KiB' });
    chunks.push(buffer);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return jsonAnswer(400, { message: 'the body is not JSON' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return jsonAnswer(400, { message: z.prettifyError(parsed.error) });
  apply(parsed.data);
  return noContent;
}
