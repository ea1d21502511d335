import { AlreadyExistsError, NotFoundError, VersionConflictError } from '#shared/domain/errors.ts';
import { type JobGroup, JobGroupSchema } from '#shared/domain/job-group.ts';
import { readStoredGroups } from '#shared/domain/stored-job-groups.ts';
import type { JobGroupListing, JobGroupStore } from '#shared/ports/job-group-store.ts';

/**
 * JobGroupStore in memory, honouring the same guarantees as the DynamoDB adapter. Items are kept as stored records
 * and parsed on read, as the adapter does, so a test can plant one that no longer parses (`putRawItem`).
 */
export class InMemoryJobGroupStore implements JobGroupStore {
  readonly #items = new Map<string, Record<string, unknown>>();

  async create(group: JobGroup): Promise<void> {
    if (this.#items.has(group.id)) throw new AlreadyExistsError('job group', group.id);
    this.#items.set(group.id, structuredClone(group));
  }

  async get(id: string): Promise<JobGroup | undefined> {
    const item = this.#items.get(id);
    return item === undefined ? undefined : JobGroupSchema.parse(structuredClone(item));
  }

  async list(): Promise<JobGroupListing> {
    return readStoredGroups([...this.#items.values()].map((item) => structuredClone(item)));
  }

  async update(group: JobGroup, expectedVersion: number): Promise<void> {
    this.#requireVersion(group.id, expectedVersion);
    this.#items.set(group.id, structuredClone(group));
  }

  async delete(id: string, expectedVersion?: number): Promise<void> {
    if (expectedVersion === undefined) {
      if (!this.#items.has(id)) throw new NotFoundError('job group', id);
    } else {
      this.#requireVersion(id, expectedVersion);
    }
    this.#items.delete(id);
  }

  /** Stores an item as it is, unvalidated: what a hand edit or an older schema may leave in the table. */
  async putRawItem(item: Record<string, unknown> & { id: string }): Promise<void> {
    this.#items.set(item.id, structuredClone(item));
  }

  #requireVersion(id: string, expectedVersion: number): void {
    const stored = this.#items.get(id);
    if (stored === undefined) throw new NotFoundError('job group', id);
    if (stored.version !== expectedVersion) throw new VersionConflictError('job group', id, expectedVersion);
  }
}
