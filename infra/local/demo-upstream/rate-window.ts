/** Window of the J-Quants per-minute limits, in ms. */
const windowMs = 60_000;
/** `/fins/summary` and `/fins/details` are capped at 60/min on every plan (jquants-v2.md §2). */
const finsLimit = 60;
const finsPaths = ['/fins/summary', '/fins/details'];

/**
 * The J-Quants rate limits over a sliding 60 s window per key: the plan's limit on every request, plus the 60/min
 * cap of the fins endpoints. Every request counts, including those answered 429, so a client that keeps knocking
 * stays blocked, as with the real API.
 */
export class RateWindow {
  #limit: number;
  readonly #hits = new Map<string, number[]>();

  /** `limit` requests per minute; 0 = unlimited. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  set limit(limit: number) {
    this.#limit = limit;
  }

  /** Records a request of `key` to `relativePath` at `now` (ms) and says whether it is within the limits. */
  admit(key: string, relativePath: string, now: number): boolean {
    if (this.#limit <= 0) return true;
    let admitted = this.#count(key, now) <= this.#limit;
    if (finsPaths.includes(relativePath)) {
      admitted = this.#count(`${key}\u0000fins`, now) <= Math.min(finsLimit, this.#limit) && admitted;
    }
    return admitted;
  }

  /** Adds a hit and returns the hits in the window, this one included. */
  #count(bucket: string, now: number): number {
    let hits = this.#hits.get(bucket);
    if (hits === undefined) {
      hits = [];
      this.#hits.set(bucket, hits);
    }
    let expired = 0;
    while (expired < hits.length && (hits[expired] ?? now) <= now - windowMs) expired += 1;
    if (expired > 0) hits.splice(0, expired);
    hits.push(now);
    return hits.length;
  }
}
