import type { ListedCodesFilter } from '#shared/domain/parameters-template.ts';

/**
 * ListedCodesSource: the issue codes a `$listedCodes` fan-out expands over, from the latest stored
 * `jquants.equities.master` rows.
 * Guarantees: codes are 5-character strings, each at most once, in ascending order; a filter field that is set
 * must match exactly (`market` the `Mkt` code, `sector33` the `S33` code); nothing stored gives an empty list.
 */
export interface ListedCodesSource {
  /** The listed codes matching `filter` (every listed code when the filter is empty). */
  listedCodes(filter: ListedCodesFilter): Promise<readonly string[]>;
}
