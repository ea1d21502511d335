import type { Clock } from '#shared/ports/clock.ts';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  #now: number;

  constructor(start: Date | string = '2026-11-27T00:00:00.000Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Jumps to an instant. */
  set(instant: Date | string): void {
    this.#now = new Date(instant).getTime();
  }
}
