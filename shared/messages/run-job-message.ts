import { z } from 'zod';
import { DataSourceIdSchema } from '#shared/domain/data-source.ts';
import { JobGroupIdSchema } from '#shared/domain/job-group.ts';

/**
 * The SQS message that asks a fetch worker to run one job. Messages outlive the code that wrote them, so every
 * version still possibly in flight must parse (see test/fixtures/messages/).
 */
export const RunJobMessageSchema = z.object({
  version: z.literal(1),
  runId: z.string().min(1),
  jobId: z.string().min(1),
  groupId: JobGroupIdSchema,
  dataSource: DataSourceIdSchema,
  dataset: z.string().min(1),
  businessDate: z.iso.date(),
  params: z.record(z.string(), z.json()),
});
export type RunJobMessage = z.infer<typeof RunJobMessageSchema>;
