import { AlreadyExistsError, NotFoundError, VersionConflictError } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';

/** JobGroupStore in memory, honouring the same guarantees as the DynamoDB adapter. */
export class InMemoryJobGroupStore implements JobGroupStore {
  readonly #groups = new Map<string, JobGroup>();

  async create(group: JobGroup): Promise<void> {
    if (this.#groups.has(group.id)) throw new AlreadyExistsError('job group', group.id);
    this.#groups.set(group.id, structuredClone(group));
  }

  async get(id: string): Promise<JobGroup | undefined> {
    const group = this.#groups.get(id);
    return group === undefined ? undefined : structuredClone(group);
  }

  async list(): Promise<JobGroup[]> {
    return [...this.#groups.values()].sort((a, b) => a.id.localeCompare(b.id)).map((group) => structuredClone(group));
  }

  async update(group: JobGroup, expectedVersion: number): Promise<void> {
    this.#requireVersion(group.id, expectedVersion);
    this.#groups.set(group.id, structuredClone(group));
  }

  async delete(id: string, expectedVersion?: number): Promise<void> {
    if (expectedVersion === undefined) {
      if (!this.#groups.has(id)) throw new NotFoundError('job group', id);
    } else {
      this.#requireVersion(id, expectedVersion);
    }
    this.#groups.delete(id);
  }

  #requireVersion(id: string, expectedVersion: number): void {
    const stored = this.#groups.get(id);
    if (stored === undefined) throw new NotFoundError('job group', id);
    if (stored.version !== expectedVersion) throw new VersionConflictError('job group', id, expectedVersion);
  }
}
