import { describe, expect, it } from 'vitest';
import {
  calendarDays,
  japaneseHolidays,
  tradingDates,
  tradingIndexOf,
} from '#infra/local/demo-upstream/market-calendar.ts';

/** The national holidays as published by the Cabinet Office, substitute and in-between holidays included. */
const publishedHolidays: Readonly<Record<number, readonly string[]>> = {
  2024: [
    ...['01-01', '01-08', '02-11', '02-12', '02-23', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06'],
    ...['07-15', '08-11', '08-12', '09-16', '09-22', '09-23', '10-14', '11-03', '11-04', '11-23'],
  ],
  2025: [
    ...['01-01', '01-13', '02-11', '02-23', '02-24', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06'],
    ...['07-21', '08-11', '09-15', '09-23', '10-13', '11-03', '11-23', '11-24'],
  ],
  2026: [
    ...['01-01', '01-12', '02-11', '02-23', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06'],
    ...['07-20', '08-11', '09-21', '09-22', '09-23', '10-12', '11-03', '11-23'],
  ],
  2027: [
    ...['01-01', '01-11', '02-11', '02-23', '03-21', '03-22', '04-29', '05-03', '05-04', '05-05'],
    ...['07-19', '08-11', '09-20', '09-23', '10-11', '11-03', '11-23'],
  ],
};

describe('demo upstream: JPX trading calendar', () => {
  it('computes the national holidays of 2024–2027, substitute and in-between holidays included', () => {
    for (const [year, days] of Object.entries(publishedHolidays)) {
      expect([...japaneseHolidays(Number(year))].sort(), year).toEqual(days.map((day) => `${year}-${day}`));
    }
  });

  it('closes weekends, holidays and the Dec 31 – Jan 3 break, and trades on other weekdays', () => {
    const { dates, divisions } = calendarDays();
    const division = new Map(dates.map((date, index) => [date, divisions[index]]));
    for (const closed of ['2026-01-01', '2026-01-02', '2026-01-03', '2026-11-03', '2026-11-23', '2026-12-31']) {
      expect(division.get(closed), closed).toBe('0');
    }
    for (const open of ['2026-01-05', '2026-11-24', '2026-12-30', '2027-01-04'])
      expect(division.get(open), open).toBe('1');
    expect(tradingIndexOf('2026-11-23')).toBe(-1);
    expect(tradingDates[tradingIndexOf('2026-11-24') - 1]).toBe('2026-11-20');
  });

  it('covers 2020 through 2027 with about 245 trading days a year', () => {
    const { dates } = calendarDays();
    expect(dates[0]).toBe('2020-01-01');
    expect(dates.at(-1)).toBe('2027-12-31');
    const in2026 = tradingDates.filter((date) => date.startsWith('2026-'));
    expect(in2026.length).toBeGreaterThan(240);
    expect(in2026.length).toBeLessThan(250);
  });
});
