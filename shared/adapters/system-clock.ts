import type { Clock } from '#shared/ports/clock.ts';

/** The real wall clock. */
export const systemClock: Clock = {
  now: (): Date => new Date(),
};
