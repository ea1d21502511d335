/** A change of some of a record's fields: `undefined` removes a field. */
export type Changes<Record> = { readonly [Key in keyof Record]?: Record[Key] | undefined };

/**
 * The record with `changes` applied, its fields removed where a change is `undefined`, its revision one on and its
 * `updatedAt` set: how every decided change of a job or a run is written.
 */
export function changedRecord<Item extends { readonly revision: number; readonly updatedAt: string }>(
  record: Item,
  at: string,
  changes: Changes<Item>,
): Item {
  const next: Record<string, unknown> = { ...record, ...changes, revision: record.revision + 1, updatedAt: at };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
  return next as Item;
}
