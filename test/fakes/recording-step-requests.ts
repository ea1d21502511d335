import type { StepRequests } from '#shared/ports/step-requests.ts';

/** StepRequests that records the steps asked for; a test takes them and runs them itself. */
export class RecordingStepRequests implements StepRequests {
  /** Backfill steps asked for, in order (a backfill as often as asked). */
  readonly requested: string[] = [];
  /** Dependents checks asked for, in order. */
  readonly dependentsChecks: { groupId: string; businessDate: string }[] = [];

  async backfill(backfillId: string): Promise<void> {
    this.requested.push(backfillId);
  }

  async dependents(groupId: string, businessDate: string): Promise<void> {
    this.dependentsChecks.push({ groupId, businessDate });
  }

  /** The backfill steps asked for since the last take, each backfill once, in the order first asked. */
  take(): string[] {
    const taken = [...new Set(this.requested)];
    this.requested.length = 0;
    return taken;
  }

  /** The dependents checks asked for since the last take, each once. */
  takeDependents(): { groupId: string; businessDate: string }[] {
    const seen = new Set<string>();
    const taken = this.dependentsChecks.filter(({ groupId, businessDate }) => {
      const key = `${groupId}/${businessDate}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    this.dependentsChecks.length = 0;
    return taken;
  }
}
