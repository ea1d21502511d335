import type { Backfill, BackfillEvent, BackfillRefusal } from '#shared/domain/backfill.ts';
import type { Page } from '#shared/ports/run-ledger.ts';

/** What an event did to a backfill. */
export interface BackfillChange {
  /** The backfill after the change, or as it stands when the event was refused. */
  readonly backfill: Backfill;
  readonly refused?: BackfillRefusal;
}

/**
 * BackfillStore: the record of backfills. It persists the decisions of `decideBackfill` and decides nothing itself.
 *
 * Guarantees:
 * - `update` decides the event on the backfill as stored and writes it only while the stored one is still that
 *   revision, deciding again on a fresh read otherwise: concurrent writers never lose a change.
 * - A group's backfills list newest first; `listOpen` lists every backfill not yet finished.
 */
export interface BackfillStore {
  /** Stores a new backfill. */
  create(backfill: Backfill): Promise<void>;
  /** The backfill, or undefined. */
  get(backfillId: string): Promise<Backfill | undefined>;
  /** A group's backfills, newest first. */
  listByGroup(groupId: string, options?: { limit?: number; cursor?: string }): Promise<Page<Backfill>>;
  /** Every backfill still planning or running, oldest first. */
  listOpen(): Promise<Backfill[]>;
  /** Applies an event (`decideBackfill`); throws NotFoundError for an unknown backfill. */
  update(backfillId: string, event: BackfillEvent): Promise<BackfillChange>;
}
