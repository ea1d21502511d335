import { type JquantsRow, outageIndex } from './demo-market.ts';
import { seedOf, unitRandom } from './demo-random.ts';
import { tradingDates, tradingDayNumbers } from './market-calendar.ts';
import { levelAt, type PricePath } from './price-path.ts';

/** Index codes and their starting levels: the TOPIX family, then the 33 sector indices `0040`–`0060`. */
const namedIndexBases: ReadonlyArray<readonly [string, number]> = [
  ['0000', 1700],
  ['0028', 800],
  ['0029', 950],
  ['002A', 1100],
  ['002B', 1600],
  ['002C', 1350],
  ['002D', 2400],
];
const sectorIndexCodes = Array.from({ length: 33 }, (_, offset) =>
  (0x40 + offset).toString(16).toUpperCase().padStart(4, '0'),
);

function indexPath(code: string, base: number): PricePath {
  const seed = seedOf(`index:${code}`);
  const draw = (salt: number): number => unitRandom(seed, 0, salt);
  return {
    seed,
    base,
    drift: 0.04 + draw(1) * 0.08,
    slowAmplitude: 0.04 + draw(2) * 0.08,
    slowPeriod: 200 + draw(3) * 300,
    slowPhase: draw(4) * 2 * Math.PI,
    fastAmplitude: 0.01 + draw(5) * 0.03,
    fastPeriod: 15 + draw(6) * 30,
    fastPhase: draw(7) * 2 * Math.PI,
    noise: 0.006,
  };
}

const indexPaths = new Map<string, PricePath>([
  ...namedIndexBases.map(([code, base]): [string, PricePath] => [code, indexPath(code, base)]),
  ...sectorIndexCodes.map((code, offset): [string, PricePath] => [
    code,
    indexPath(code, 300 + ((offset * 397) % 2700)),
  ]),
]);

/** Every index code the demo serves, ascending. */
export const indexCodes: readonly string[] = [...indexPaths.keys()].sort();

/** The Nikkei 225 path behind Yahoo's `^N225`. */
export const nikkeiPath: PricePath = { ...indexPath('N225', 23000), drift: 0.11 };

const indexSalt = { open: 301, high: 302, low: 303 } as const;

/** O/H/L/C of a path on a trading day, rounded to 2 decimals; on the outage day all four hold the previous close. */
export function indexOhlc(
  path: PricePath,
  tradingIndex: number,
): { readonly O: number; readonly H: number; readonly L: number; readonly C: number } {
  if (tradingIndex === outageIndex) {
    const held = roundHundredth(levelAt(path, Math.max(0, tradingIndex - 1)));
    return { O: held, H: held, L: held, C: held };
  }
  const day = tradingDayNumbers[tradingIndex] ?? 0;
  const close = levelAt(path, tradingIndex);
  const open =
    levelAt(path, Math.max(0, tradingIndex - 1)) * (1 + 0.003 * (unitRandom(path.seed, day, indexSalt.open) - 0.5));
  const high = Math.max(open, close) * (1 + 0.006 * unitRandom(path.seed, day, indexSalt.high));
  const low = Math.min(open, close) * (1 - 0.006 * unitRandom(path.seed, day, indexSalt.low));
  return { O: roundHundredth(open), H: roundHundredth(high), L: roundHundredth(low), C: roundHundredth(close) };
}

/** The `/indices/bars/daily` row of an index on a trading day; undefined for an unknown code. */
export function indexBar(code: string, tradingIndex: number): JquantsRow | undefined {
  const path = indexPaths.get(code);
  if (path === undefined) return undefined;
  return { Date: tradingDates[tradingIndex] ?? '', Code: code, ...indexOhlc(path, tradingIndex) };
}

function roundHundredth(value: number): number {
  return Math.round(value * 100) / 100;
}
