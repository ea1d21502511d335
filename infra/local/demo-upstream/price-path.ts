import { centredRandom } from './demo-random.ts';
import { tradingDayNumbers } from './market-calendar.ts';

/** The constants a price series grows from: a yearly drift, a slow and a fast wave, and daily noise. */
export interface PricePath {
  readonly seed: number;
  /** Level at trading index 0 (JPY, or index points). */
  readonly base: number;
  /** Log drift per year. */
  readonly drift: number;
  readonly slowAmplitude: number;
  /** In trading days. */
  readonly slowPeriod: number;
  readonly slowPhase: number;
  readonly fastAmplitude: number;
  readonly fastPeriod: number;
  readonly fastPhase: number;
  /** Standard size of the daily noise, as a log return. */
  readonly noise: number;
}

const tradingDaysPerYear = 245;
const noiseSalt = 101;

/**
 * The level of a path at a trading index, in closed form rather than as a random walk, so that any single day costs
 * the same few operations whatever the date.
 */
export function levelAt(path: PricePath, tradingIndex: number): number {
  const day = tradingDayNumbers[tradingIndex] ?? tradingIndex;
  const logLevel =
    (path.drift * tradingIndex) / tradingDaysPerYear +
    path.slowAmplitude * Math.sin((2 * Math.PI * tradingIndex) / path.slowPeriod + path.slowPhase) +
    path.fastAmplitude * Math.sin((2 * Math.PI * tradingIndex) / path.fastPeriod + path.fastPhase) +
    path.noise * centredRandom(path.seed, day, noiseSalt);
  return path.base * Math.exp(logLevel);
}
