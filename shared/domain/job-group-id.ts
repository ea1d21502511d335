import * as z from '#shared/zod.ts';

/**
 * A job group's id: lower-case slug of letters, digits and single inner hyphens; it doubles as the schedule's name
 * (≤ 64 chars). Its own module, so that runs and job messages name a group without building the whole group schema
 * (the fetch workers never read a group).
 */
export const JobGroupIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(
      /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
      'must be a slug: lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
    ),
  );
export type JobGroupId = z.infer<typeof JobGroupIdSchema>;
