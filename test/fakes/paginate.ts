import type { Page } from '#shared/ports/run-ledger.ts';

/**
 * One page of `items` (already in `order` of their keys) after the cursor, as the DynamoDB adapters page: the cursor
 * is the key of the last item of the page before.
 */
export function paginate<Item>(
  items: Item[],
  keyOf: (item: Item) => string,
  options: { limit?: number; cursor?: string },
  order: 'ascending' | 'descending' = 'descending',
): Page<Item> {
  const after = options.cursor;
  const start =
    after === undefined
      ? 0
      : items.findIndex((item) => (order === 'ascending' ? keyOf(item) > after : keyOf(item) < after));
  const remaining = start < 0 ? [] : items.slice(start);
  const limit = options.limit ?? 100;
  const page = remaining.slice(0, limit);
  const last = page.at(-1);
  return remaining.length > limit && last !== undefined ? { items: page, cursor: keyOf(last) } : { items: page };
}
