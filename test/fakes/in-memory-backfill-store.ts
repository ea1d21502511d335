import { type Backfill, type BackfillEvent, decideBackfill } from '#shared/domain/backfill.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { BackfillChange, BackfillStore } from '#shared/ports/backfill-store.ts';
import type { Page } from '#shared/ports/run-ledger.ts';
import { paginate } from '#test/fakes/paginate.ts';

/** BackfillStore in memory, deciding with the same rules as the DynamoDB one. */
export class InMemoryBackfillStore implements BackfillStore {
  readonly #backfills = new Map<string, Backfill>();

  async create(backfill: Backfill): Promise<void> {
    this.#backfills.set(backfill.backfillId, structuredClone(backfill));
  }

  async get(backfillId: string): Promise<Backfill | undefined> {
    const backfill = this.#backfills.get(backfillId);
    return backfill === undefined ? undefined : structuredClone(backfill);
  }

  async listByGroup(groupId: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Backfill>> {
    const entries = [...this.#backfills.values()]
      .filter((backfill) => backfill.groupId === groupId)
      .map((backfill) => ({ backfill, key: `${backfill.createdAt}#${backfill.backfillId}` }))
      .sort((a, b) => (a.key < b.key ? 1 : -1));
    const page = paginate(entries, (entry) => entry.key, options, 'descending');
    return { ...page, items: structuredClone(page.items.map((entry) => entry.backfill)) };
  }

  async listOpen(): Promise<Backfill[]> {
    return structuredClone(
      [...this.#backfills.values()]
        .filter((backfill) => backfill.finishedAt === undefined)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    );
  }

  async update(backfillId: string, event: BackfillEvent): Promise<BackfillChange> {
    const backfill = this.#backfills.get(backfillId);
    if (backfill === undefined) throw new NotFoundError('backfill', backfillId);
    const decision = decideBackfill(backfill, event);
    if ('refused' in decision) return { backfill: structuredClone(backfill), refused: decision.refused };
    this.#backfills.set(backfillId, decision.backfill);
    return { backfill: structuredClone(decision.backfill) };
  }
}
