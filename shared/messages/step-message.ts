import * as z from '#shared/zod.ts';

/** The messages of the steps queue (`StepRequests`). */
export const StepMessageSchema = z.union([
  z.object({ kind: z.literal('dependents'), groupId: z.string().check(z.minLength(1)), businessDate: z.iso.date() }),
  // A backfill step; messages sent before steps had kinds name only the backfill.
  z.object({ kind: z.optional(z.literal('backfill')), backfillId: z.string().check(z.minLength(1)) }),
]);
export type StepMessage = z.infer<typeof StepMessageSchema>;
