/**
 * BackfillSteps: asks for a backfill to take its next step (`advanceBackfill`): the admin API when it starts one, a
 * run of it when it finishes, the reconciler for every open one. Steps of one backfill run one at a time, and a
 * step that finds nothing to do does nothing, so asking twice is harmless.
 */
export interface BackfillSteps {
  request(backfillId: string, options?: { readonly delaySeconds?: number }): Promise<void>;
}
