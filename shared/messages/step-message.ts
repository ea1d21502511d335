import * as z from '#shared/zod.ts';

/** The message that asks for a backfill's next step (`BackfillSteps`). */
export const BackfillStepMessageSchema = z.object({
  backfillId: z.string().check(z.minLength(1)),
});
export type BackfillStepMessage = z.infer<typeof BackfillStepMessageSchema>;
