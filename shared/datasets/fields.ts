import { isCalendarDate } from '#shared/domain/calendar-date.ts';
import * as z from '#shared/zod.ts';

/** Field schemas shared by the datasets' params and rows. */

/** A real calendar date, `YYYY-MM-DD` (2026-02-30 is rejected). */
export const CalendarDateSchema = z
  .string()
  .check(z.refine(isCalendarDate, { message: 'must be a real calendar date written YYYY-MM-DD' }));
export type CalendarDate = z.infer<typeof CalendarDateSchema>;

/** A J-Quants issue code: 4–5 upper-case letters or digits (`72030`, `7203`, `130A0`); never a number. */
export const IssueCodeSchema = z
  .string()
  .check(z.regex(/^[0-9A-Z]{4,5}$/, 'must be an issue code of 4–5 upper-case letters or digits, e.g. 72030 or 130A0'));
export type IssueCode = z.infer<typeof IssueCodeSchema>;

/** A J-Quants index code: 4 upper-case letters or digits (`0000` TOPIX, `002A` TOPIX 100). */
export const IndexCodeSchema = z
  .string()
  .check(z.regex(/^[0-9A-Z]{4}$/, 'must be an index code of 4 upper-case letters or digits, e.g. 0000 or 002A'));
export type IndexCode = z.infer<typeof IndexCodeSchema>;

/** A 33-sector code as a param: `0050`, or `50` which J-Quants also accepts. */
export const Sector33ParamSchema = z
  .string()
  .check(z.regex(/^\d{2,4}$/, 'must be a 33-sector code of 2–4 digits, e.g. 0050'));

/** An ISO 8601 instant with a time zone designator, e.g. `2026-01-05T08:00:00.000Z`. */
export const IsoInstantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' });

/** A stored number: a JSON number or `null` (never `""`, `"-"` or a numeric string). */
export const nullableNumber = (): z.ZodMiniNullable<z.ZodMiniNumber> => z.nullable(z.number());

/** A nullable number schema per key of `fields` (a row-field → upstream-field map). */
export function nullableNumbers<Fields extends Readonly<Record<string, string>>>(
  fields: Fields,
): { [Key in keyof Fields]: z.ZodMiniNullable<z.ZodMiniNumber> } {
  return Object.fromEntries(Object.keys(fields).map((key) => [key, nullableNumber()])) as {
    [Key in keyof Fields]: z.ZodMiniNullable<z.ZodMiniNumber>;
  };
}

/** The fields every stored row carries besides its data: when it was fetched and by which run. */
export const rowMetadataShape = {
  /** ISO instant the row was fetched. */
  fetchedAt: IsoInstantSchema,
  /** The run that wrote the row. */
  runId: z.string().check(z.minLength(1)),
};

/**
 * A row schema: the dataset's fields plus `fetchedAt` and `runId`, built on its first parse. A function's cold start
 * then builds only the row schemas it uses (a worker: its own source's; the admin API: none until asked).
 */
export function storedRow<Shape extends z.core.$ZodShape>(
  shape: () => Shape,
): z.ZodMiniLazy<z.ZodMiniObject<Shape & typeof rowMetadataShape, z.core.$strip>> {
  return z.lazy(() => z.object({ ...shape(), ...rowMetadataShape }));
}
