/**
 * StepRequests: asks for work that follows a run or a request, taken one step at a time by the steps consumer
 * (`take-step`): a backfill's next step (`advanceBackfill`) — from the admin API when it starts one, from each of its
 * runs as it finishes, from the reconciler for every open one — and the judging of a group's dependents once one of
 * its runs has settled (`checkDependents`). A step that finds nothing to do does nothing, so asking twice is harmless.
 */
export interface StepRequests {
  /** A backfill's next step. */
  backfill(backfillId: string, options?: { readonly delaySeconds?: number }): Promise<void>;
  /** The groups that depend on `groupId` are judged again for `businessDate`. */
  dependents(groupId: string, businessDate: string): Promise<void>;
}
