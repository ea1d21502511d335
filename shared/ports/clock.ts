/**
 * Clock: the one source of "now" for use cases, so tests and the sandbox can move time.
 * Guarantees: `now()` returns a fresh `Date` the caller may keep.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}
