import type { Log } from '#shared/observability/logger.ts';
import type { BackfillStore } from '#shared/ports/backfill-store.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';

/**
 * Asks every open backfill for its next step (the reconciler's pass): whatever message was lost, a backfill goes on
 * within one pass, and one whose group was paused picks up again once it resumes. Returns how many were asked.
 */
export async function requestBackfillSteps(deps: {
  readonly backfillStore: BackfillStore;
  readonly steps: StepRequests;
  readonly log: Log;
}): Promise<number> {
  const open = await deps.backfillStore.listOpen();
  for (const backfill of open) {
    try {
      await deps.steps.backfill(backfill.backfillId);
    } catch (error) {
      deps.log.error('backfill step could not be requested', { backfillId: backfill.backfillId, error });
    }
  }
  return open.length;
}
