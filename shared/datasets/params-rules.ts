import { CalendarDateSchema } from '#shared/datasets/fields.ts';
import { isCalendarDate } from '#shared/domain/calendar-date.ts';
import * as z from '#shared/zod.ts';

/**
 * The J-Quants rules on which params go together (jquants-v2.md §4–§5): `date` or `from`/`to`, never both;
 * a range goes with a selector (`code`, `s33`); many endpoints need a selector or a date. Every broken rule becomes
 * an issue on the field to change, so the admin API can point at it.
 */

/** Optional `from`/`to` params (inclusive `YYYY-MM-DD`). */
export const dateRangeShape = {
  from: z.optional(CalendarDateSchema),
  to: z.optional(CalendarDateSchema),
};

/** Which combination rules an endpoint enforces beyond `from ≤ to`. */
export interface DateSelectionRules {
  /** The param that selects a series (`code`, `s33`); a `from`/`to` range needs it when set. */
  readonly selector?: string;
  /** At least one of `selector` and `date` must be given (J-Quants answers 400 otherwise). */
  readonly requireSelectorOrDate?: boolean;
}

/**
 * Adds the J-Quants combination rules to a strict params object schema, built on its first parse (as `storedRow`).
 */
export function withDateSelectionRules<Schema extends z.ZodMiniObject>(
  schema: () => Schema,
  rules: DateSelectionRules,
): z.ZodMiniLazy<Schema> {
  return z.lazy(() => withRules(schema(), rules));
}

function withRules<Schema extends z.ZodMiniObject>(schema: Schema, rules: DateSelectionRules): Schema {
  return schema.check(
    z.superRefine(
      (params, context) => {
        for (const issue of dateSelectionIssues(params, rules)) {
          context.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: params });
        }
      },
      // Run even when a field failed its own check, so every broken rule is reported in one answer.
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  );
}

function dateSelectionIssues(
  params: Readonly<Record<string, unknown>>,
  rules: DateSelectionRules,
): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  const has = (key: string): boolean => params[key] !== undefined;
  const rangeKeys = ['from', 'to'].filter(has);
  if (has('date')) {
    for (const key of rangeKeys)
      issues.push({ path: [key], message: 'cannot be combined with date: send date or from/to' });
  }
  const { selector } = rules;
  if (selector !== undefined && !has(selector)) {
    for (const key of rangeKeys) issues.push({ path: [key], message: `a from/to range needs ${selector}` });
    if (rules.requireSelectorOrDate === true && !has('date') && rangeKeys.length === 0) {
      issues.push({ path: [], message: `needs ${selector} or date (or both)` });
    }
  }
  const { from, to } = params;
  if (isCalendarDate(from) && isCalendarDate(to) && from > to) {
    issues.push({ path: ['to'], message: `must not be before from (${from})` });
  }
  return issues;
}
