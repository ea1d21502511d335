import { addDays } from '#shared/domain/calendar-date.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';

/** The days a fake calendar covers. */
export interface CalendarDays {
  readonly businessDays?: readonly string[];
  readonly nonBusinessDays?: readonly string[];
}

/** TradingCalendar over in-memory days; a day it does not hold ends the search with undefined. */
export class InMemoryTradingCalendar implements TradingCalendar {
  private readonly days = new Map<string, boolean>();

  constructor({ businessDays = [], nonBusinessDays = [] }: CalendarDays = {}) {
    for (const day of businessDays) this.days.set(day, true);
    for (const day of nonBusinessDays) this.days.set(day, false);
  }

  async previousBusinessDay(date: string): Promise<string | undefined> {
    for (let day = addDays(date, -1); this.days.has(day); day = addDays(day, -1)) {
      if (this.days.get(day) === true) return day;
    }
    return undefined;
  }

  async businessDays(from: string, to: string): Promise<string[] | undefined> {
    const days: string[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) {
      if (!this.days.has(day)) return undefined;
      if (this.days.get(day) === true) days.push(day);
    }
    return days;
  }
}
