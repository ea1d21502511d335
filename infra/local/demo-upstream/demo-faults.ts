import * as z from '#shared/zod.ts';
import { type DemoAnswer, jsonAnswer, textAnswer } from './demo-answer.ts';

/** A fault to inject: the next `count` requests whose path starts with `pathPrefix` get it. */
export const DemoFaultSchema = z.strictObject({
  kind: z.enum(['server-error', 'slow', 'malformed', 'rate-limited', 'forbidden']),
  /** Matched against the full path (`/v2/fins/summary`, `/v8/finance/chart/7203.T`) and the J-Quants path without
   * `/v2` (`/fins/summary`). @default every path */
  pathPrefix: z.optional(z.string()),
  /** @default every matching request until the faults are cleared */
  count: z.optional(z.int().check(z.positive())),
  /** How long a `slow` answer waits before it is served normally. @default 5_000 */
  delayMs: z.optional(z.int().check(z.gte(0), z.lte(600_000))),
});
export type DemoFault = z.infer<typeof DemoFaultSchema>;
export type DemoFaultKind = DemoFault['kind'];

/** Default wait of a `slow` fault, in ms. */
export const defaultSlowDelayMs = 5_000;

/** The switched-on faults, first injected first served. */
export class FaultSwitch {
  readonly #faults: { fault: DemoFault; remaining: number }[] = [];

  add(fault: DemoFault): void {
    this.#faults.push({ fault, remaining: fault.count ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The fault for a request to `path`, spending one of its count; undefined when none matches. */
  take(path: string): DemoFault | undefined {
    const relative = path.startsWith('/v2/') ? path.slice(3) : undefined;
    const index = this.#faults.findIndex(({ fault }) => {
      const prefix = fault.pathPrefix ?? '';
      return path.startsWith(prefix) || (relative?.startsWith(prefix) ?? false);
    });
    const entry = this.#faults[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#faults.splice(index, 1);
    return entry.fault;
  }
}

/** What each upstream sends for a fault (a `slow` fault is served normally after its wait). */
export function faultAnswer(kind: Exclude<DemoFaultKind, 'slow'>, upstream: 'jquants' | 'yahoo'): DemoAnswer {
  const jquants = upstream === 'jquants';
  switch (kind) {
    case 'server-error':
      return jquants ? jsonAnswer(500, { message: 'Internal Server Error' }) : textAnswer(500, 'Internal Server Error');
    case 'malformed':
      // Cut off mid-row, as a dropped connection or a broken proxy would leave it.
      return {
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: jquants
          ? '{"data":[{"Date":"2026-01-05","Code":"72030","O":'
          : '{"chart":{"result":[{"meta":{"currency":',
      };
    case 'rate-limited':
      return jquants ? jsonAnswer(429, { message: 'Rate limit exceeded' }) : textAnswer(429, 'Too Many Requests');
    case 'forbidden':
      return jquants ? jsonAnswer(403, invalidKeyBody) : textAnswer(403, 'Forbidden');
  }
}

/** J-Quants' body for a missing, wrong or expired key (jquants-v2.md §1). */
export const invalidKeyBody = { message: 'The incoming api key is invalid or expired.' };
