import type { BackfillSteps } from '#shared/ports/backfill-steps.ts';

/** BackfillSteps that records the steps asked for; a test takes them (`take`) and runs them itself. */
export class RecordingBackfillSteps implements BackfillSteps {
  readonly requested: string[] = [];

  async request(backfillId: string): Promise<void> {
    this.requested.push(backfillId);
  }

  /** The steps asked for since the last take, each backfill once, in the order first asked. */
  take(): string[] {
    const taken = [...new Set(this.requested)];
    this.requested.length = 0;
    return taken;
  }
}
