import { seedOf, unitRandom } from './demo-random.ts';
import { type Sector33, sectors33 } from './demo-sectors.ts';
import { tradingDates } from './market-calendar.ts';
import type { PricePath } from './price-path.ts';

/** The static profile of one demo listed issue: what the master says and the constants its prices grow from. */
export interface DemoIssue extends PricePath {
  /** Position in the ascending code list. */
  readonly index: number;
  /** 5-character J-Quants code, e.g. `72030` or `130A0`. */
  readonly code: string;
  /** Yahoo symbol, e.g. `7203.T`. */
  readonly yahooSymbol: string;
  readonly companyName: string;
  readonly companyNameEnglish: string;
  readonly sector: Sector33;
  readonly market: '0111' | '0112' | '0113';
  readonly scaleCategory: string;
  /** `1` margin, `2` loanable, `3` other. */
  readonly margin: '1' | '2' | '3';
  /** Before any split. */
  readonly sharesOutstanding: number;
  /** Shares per day, before any split. */
  readonly baseVolume: number;
  /** Trading index of the ex-date of a 1:2 split, or -1. */
  readonly splitIndex: number;
  readonly fiscalYearEndMonth: number;
  readonly ifrs: boolean;
  readonly paysDividend: boolean;
}

/** Salts of the issue profile's random draws (day 0 of unitRandom). */
const salt = {
  market: 1,
  scale: 2,
  margin: 3,
  price: 4,
  shares: 5,
  split: 6,
  splitDay: 7,
  fiscal: 8,
  ifrs: 9,
  sector: 10,
  dividend: 11,
  drift: 12,
  slowAmplitude: 13,
  slowPeriod: 14,
  slowPhase: 15,
  fastAmplitude: 16,
  fastPeriod: 17,
  fastPhase: 18,
} as const;

interface KnownIssue {
  readonly code: string;
  readonly name: string;
  readonly nameEnglish: string;
  readonly sector: string;
  readonly price: number;
  readonly shares: number;
}

/** A few real names, so demo data reads naturally; the rest of the codes are generated. */
const knownIssues: readonly KnownIssue[] = [
  {
    code: '72030',
    name: 'トヨタ自動車',
    nameEnglish: 'TOYOTA MOTOR CORPORATION',
    sector: '3700',
    price: 2500,
    shares: 16e9,
  },
  {
    code: '86970',
    name: '日本取引所グループ',
    nameEnglish: 'Japan Exchange Group,Inc.',
    sector: '7200',
    price: 1800,
    shares: 1e9,
  },
  {
    code: '67580',
    name: 'ソニーグループ',
    nameEnglish: 'Sony Group Corporation',
    sector: '3650',
    price: 3000,
    shares: 6e9,
  },
  {
    code: '99840',
    name: 'ソフトバンクグループ',
    nameEnglish: 'SoftBank Group Corp.',
    sector: '5250',
    price: 6500,
    shares: 1.4e9,
  },
  {
    code: '83060',
    name: '三菱ＵＦＪフィナンシャル・グループ',
    nameEnglish: 'Mitsubishi UFJ Financial Group,Inc.',
    sector: '7050',
    price: 900,
    shares: 12e9,
  },
];

const largestCodeCount = 8000;

/** The demo's listed issues: `count` codes, at least five with letters once count ≥ 10, sorted ascending. */
export function createDemoIssues(count: number): DemoIssue[] {
  if (!Number.isInteger(count) || count < 1 || count > largestCodeCount) {
    throw new RangeError(`listedCodeCount must be an integer from 1 to ${largestCodeCount}, got ${count}`);
  }
  const letterCount = Math.min(Math.max(5, Math.round(count / 30)), Math.floor(count / 2));
  const known = knownIssues.slice(0, Math.min(knownIssues.length, count - letterCount));
  const numericCount = count - letterCount - known.length;
  const used = new Set(known.map((issue) => issue.code));
  const codes = known.map((issue) => issue.code);
  for (let letter = 0; letter < letterCount; letter += 1) codes.push(`${130 + letter}A0`);
  for (let position = 0; position < numericCount; position += 1) {
    let candidate = 1301 + Math.floor((position * (9990 - 1301)) / Math.max(numericCount, 1));
    while (used.has(`${candidate}0`)) candidate += 1;
    used.add(`${candidate}0`);
    codes.push(`${candidate}0`);
  }
  codes.sort();
  return codes.map((code, index) =>
    profileOf(
      code,
      index,
      knownIssues.find((issue) => issue.code === code),
    ),
  );
}

function profileOf(code: string, index: number, known: KnownIssue | undefined): DemoIssue {
  const seed = seedOf(code);
  const draw = (key: number): number => unitRandom(seed, 0, key);
  const hasLetters = /[A-Z]/.test(code);
  const market = known !== undefined ? '0111' : pickMarket(draw(salt.market), hasLetters);
  const sector =
    sectors33.find((candidate) => candidate.code === known?.sector) ??
    sectors33[Math.floor(draw(salt.sector) * sectors33.length)] ??
    sectors33[0];
  if (sector === undefined) throw new Error('the 33-sector table is empty');
  const code4 = code.slice(0, 4);
  const base = known?.price ?? Math.round(Math.exp(Math.log(300) + draw(salt.price) * Math.log(50)));
  const sharesOutstanding = known?.shares ?? Math.round(10 ** (7 + draw(salt.shares) * 2.3) / 1000) * 1000;
  const fiscal = draw(salt.fiscal);
  return {
    index,
    code,
    yahooSymbol: `${code4}.T`,
    seed,
    companyName: known?.name ?? `デモ${sector.name}${code4}`,
    companyNameEnglish: known?.nameEnglish ?? `DEMO ${code4} CO.,LTD.`,
    sector,
    market,
    scaleCategory: known !== undefined ? 'TOPIX Core30' : pickScale(draw(salt.scale), market),
    margin: pickMargin(draw(salt.margin)),
    base,
    sharesOutstanding,
    baseVolume: Math.max(1000, Math.round((sharesOutstanding * 0.004) / 100) * 100),
    splitIndex:
      known === undefined && draw(salt.split) < 0.04
        ? 20 + Math.floor(draw(salt.splitDay) * (tradingDates.length - 40))
        : -1,
    fiscalYearEndMonth: fiscal < 0.75 ? 3 : fiscal < 0.9 ? 12 : fiscal < 0.95 ? 9 : 6,
    ifrs: known !== undefined ? code !== '83060' : draw(salt.ifrs) < 0.15,
    paysDividend: market !== '0113' || draw(salt.dividend) < 0.3,
    drift: (draw(salt.drift) * 2 - 1) * 0.08,
    slowAmplitude: 0.05 + draw(salt.slowAmplitude) * 0.2,
    slowPeriod: 120 + draw(salt.slowPeriod) * 380,
    slowPhase: draw(salt.slowPhase) * 2 * Math.PI,
    fastAmplitude: 0.02 + draw(salt.fastAmplitude) * 0.06,
    fastPeriod: 20 + draw(salt.fastPeriod) * 40,
    fastPhase: draw(salt.fastPhase) * 2 * Math.PI,
    noise: 0.012,
  };
}

function pickMarket(draw: number, hasLetters: boolean): DemoIssue['market'] {
  if (hasLetters) return draw < 0.6 ? '0113' : '0112';
  return draw < 0.55 ? '0111' : draw < 0.85 ? '0112' : '0113';
}

function pickScale(draw: number, market: DemoIssue['market']): string {
  if (market === '0113') return '-';
  if (market === '0112') return draw < 0.5 ? 'TOPIX Small 2' : '-';
  return draw < 0.05 ? 'TOPIX Large70' : draw < 0.3 ? 'TOPIX Mid400' : draw < 0.7 ? 'TOPIX Small 1' : 'TOPIX Small 2';
}

function pickMargin(draw: number): DemoIssue['margin'] {
  return draw < 0.6 ? '2' : draw < 0.9 ? '1' : '3';
}
