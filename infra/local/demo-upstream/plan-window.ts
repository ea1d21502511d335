import { addDays } from '#shared/domain/calendar-date.ts';
import * as z from '#shared/zod.ts';
import { type DemoAnswer, jsonAnswer } from './demo-answer.ts';
import type { ParamReader } from './jquants-params.ts';

/**
 * The history each J-Quants plan serves (jquants-v2.md §2): Free 2 years back with its newest 12 weeks withheld,
 * Light 5 years, Standard 10, Premium 20, the others without delay. A request naming a date outside its plan's window
 * answers 403. Written from the doc rather than taken from the engine's own rule, so the demo can catch the engine
 * getting it wrong.
 */

export const DemoPlanSchema = z.enum(['free', 'light', 'standard', 'premium']);
export type DemoPlan = z.infer<typeof DemoPlanSchema>;

/** The dates a plan serves on a given day, both ends included; no `latest` means nothing recent is withheld. */
export interface DemoPlanWindow {
  readonly plan: DemoPlan;
  readonly earliest: string;
  readonly latest?: string;
}

const yearsServed: Record<DemoPlan, number> = { free: 2, light: 5, standard: 10, premium: 20 };
const daysWithheld: Record<DemoPlan, number> = { free: 12 * 7, light: 0, standard: 0, premium: 0 };
const planNames: Record<DemoPlan, string> = { free: 'Free', light: 'Light', standard: 'Standard', premium: 'Premium' };

/** The window of `plan` on `today` (`YYYY-MM-DD`, Tokyo). */
export function demoPlanWindow(plan: DemoPlan, today: string): DemoPlanWindow {
  const [year = '', month = '', day = ''] = today.split('-');
  // 29 February a whole number of years back is the 28th (no leap day then).
  const sameDay = month === '02' && day === '29' ? '28' : day;
  const earliest = `${String(Number(year) - yearsServed[plan]).padStart(4, '0')}-${month}-${sameDay}`;
  const withheld = daysWithheld[plan];
  return withheld === 0 ? { plan, earliest } : { plan, earliest, latest: addDays(today, -withheld) };
}

/** The first of the request's dates (`date`, `from`, `to`) that lies outside the window; undefined when none does. */
export function dateOutsideWindow(params: ParamReader, window: DemoPlanWindow): string | undefined {
  for (const name of ['date', 'from', 'to']) {
    const date = params.date(name);
    if (date === undefined) continue;
    if (date < window.earliest || (window.latest !== undefined && date > window.latest)) return date;
  }
  return undefined;
}

/**
 * The 403 for data outside the plan. Its wording is unverified (jquants-v2.md §7, question 4), but it differs from
 * the bad-key body, as an "outside plan" answer must for an operator reading it.
 */
export function outsidePlanAnswer(window: DemoPlanWindow): DemoAnswer {
  const period = `${window.earliest} ~ ${window.latest ?? 'today'}`;
  return jsonAnswer(403, {
    message: `The requested period is not covered by your subscription plan (${planNames[window.plan]}: ${period}).`,
  });
}
