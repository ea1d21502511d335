import { addDays } from '#shared/domain/calendar-date.ts';

/**
 * Date expressions inside template strings: `{{businessDate}}`, `{{businessDate-7d}}`, `{{businessDate+1d}}`,
 * `{{previousBusinessDay}}` (also with `±Nd`) and `{{scheduledTime}}`. An expression may be the whole string or
 * embedded in it (`"x-{{businessDate}}"`); day offsets are calendar days.
 */

/** The values the expressions resolve against, all fixed for one run. */
export interface DateExpressionValues {
  /** The run's business date, `YYYY-MM-DD`. */
  readonly businessDate: string;
  /** The trading day before the business date (weekday fallback when no calendar is stored), `YYYY-MM-DD`. */
  readonly previousBusinessDay: string;
  /** The schedule's fire time, an ISO instant. */
  readonly scheduledTime: string;
}

/** A string with its expressions replaced, or why it cannot be. */
export type SubstitutionResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly error: string };

const expressionPattern = /\{\{([^{}]*)\}\}/g;
const dateExpressionPattern = /^\s*(businessDate|previousBusinessDay)\s*(?:([+-])\s*(\d+)d)?\s*$/;
const scheduledTimePattern = /^\s*scheduledTime\s*$/;
const knownExpressions = '{{businessDate}}, {{businessDate±Nd}}, {{previousBusinessDay}}, {{scheduledTime}}';

/** Replaces every `{{…}}` in `text`; an unknown or unterminated expression is an error naming it. */
export function substituteDateExpressions(text: string, values: DateExpressionValues): SubstitutionResult {
  const errors: string[] = [];
  const value = text.replace(expressionPattern, (whole: string, body: string) => {
    const resolved = resolveExpression(body, values);
    if (!resolved.ok) errors.push(`${resolved.error} ${whole}; use one of ${knownExpressions}`);
    return resolved.ok ? resolved.value : whole;
  });
  if (errors.length > 0) return { ok: false, error: errors.join('; ') };
  if (value.includes('{{') || value.includes('}}')) {
    return { ok: false, error: `unterminated date expression in '${text}'; use one of ${knownExpressions}` };
  }
  return { ok: true, value };
}

function resolveExpression(body: string, values: DateExpressionValues): SubstitutionResult {
  if (scheduledTimePattern.test(body)) return { ok: true, value: values.scheduledTime };
  const match = dateExpressionPattern.exec(body);
  if (match === null) return { ok: false, error: 'unknown date expression' };
  const [, base, sign, amount] = match;
  const date = base === 'businessDate' ? values.businessDate : values.previousBusinessDay;
  if (sign === undefined || amount === undefined) return { ok: true, value: date };
  const days = Number(amount) * (sign === '-' ? -1 : 1);
  try {
    return { ok: true, value: addDays(date, days) };
  } catch {
    return { ok: false, error: 'date out of range in' };
  }
}
