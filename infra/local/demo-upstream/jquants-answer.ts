import { type DemoAnswer, jsonAnswer } from './demo-answer.ts';
import type { DemoMarket, JquantsRow } from './demo-market.ts';
import { seedOf } from './demo-random.ts';
import { DemoBadRequestError, paramReader, todayInTokyo } from './jquants-params.ts';
import { jquantsRoutes } from './jquants-routes.ts';
import { type DemoPlan, dateOutsideWindow, demoPlanWindow, outsidePlanAnswer } from './plan-window.ts';

/** API Gateway's answer for a path or method it has no route for, which is what J-Quants sends (403, not 404). */
const noRoute = { message: 'Missing Authentication Token' };
const cachedAnswers = 64;

/**
 * Answers one authenticated J-Quants request: routes it, checks its params and that its dates lie in the plan's
 * window, and pages the rows. A page key is opaque (base64url of the query's fingerprint and the next offset), so it
 * changes every page and cannot be replayed against another query. Whole answers are cached by query, so following
 * the pages of a large answer costs one build.
 */
export class JquantsResponder {
  readonly #market: DemoMarket;
  readonly #rows = new Map<string, readonly JquantsRow[]>();
  readonly #pageSize: number;
  /** The key's plan: dates outside its window answer 403. */
  plan: DemoPlan;

  constructor(market: DemoMarket, pageSize: number, plan: DemoPlan) {
    this.#market = market;
    this.#pageSize = pageSize;
    this.plan = plan;
  }

  /** Answers `GET /v2<relativePath>?<search>`. */
  answer(method: string, relativePath: string, search: URLSearchParams): DemoAnswer {
    const route = jquantsRoutes.get(relativePath);
    if (route === undefined || method !== 'GET') return jsonAnswer(403, noRoute);
    const paginationKey = search.get('pagination_key');
    const canonical = [...search.entries()]
      .filter(([name]) => name !== 'pagination_key')
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .join('&');
    const fingerprint = seedOf(`${relativePath}?${canonical}`).toString(36);
    try {
      const params = paramReader(search);
      const window = demoPlanWindow(this.plan, todayInTokyo());
      if (dateOutsideWindow(params, window) !== undefined) return outsidePlanAnswer(window);
      const offset = paginationKey === null || paginationKey === '' ? 0 : readPageKey(paginationKey, fingerprint);
      // Keyed by the Tokyo date too: a master request without `date` means today's master.
      const cacheKey = `${relativePath}?${canonical}@${todayInTokyo()}`;
      let rows = this.#rows.get(cacheKey);
      if (rows === undefined) {
        rows = route(params, this.#market);
        this.#remember(cacheKey, rows);
      }
      const end = offset + this.#pageSize;
      const data = rows.slice(offset, end);
      return jsonAnswer(200, end < rows.length ? { data, pagination_key: pageKey(fingerprint, end) } : { data });
    } catch (error) {
      if (error instanceof DemoBadRequestError) return jsonAnswer(400, { message: error.message });
      throw error;
    }
  }

  #remember(key: string, rows: readonly JquantsRow[]): void {
    this.#rows.set(key, rows);
    if (this.#rows.size > cachedAnswers) {
      const oldest = this.#rows.keys().next();
      if (oldest.done !== true) this.#rows.delete(oldest.value);
    }
  }
}

function pageKey(fingerprint: string, offset: number): string {
  return Buffer.from(`${fingerprint}:${offset}`).toString('base64url');
}

function readPageKey(key: string, fingerprint: string): number {
  const [keyFingerprint, offsetText] = Buffer.from(key, 'base64url').toString('utf8').split(':');
  const offset = Number(offsetText);
  if (keyFingerprint !== fingerprint || !Number.isSafeInteger(offset) || offset <= 0) {
    throw new DemoBadRequestError('Invalid pagination_key: send the same query that returned it.');
  }
  return offset;
}
