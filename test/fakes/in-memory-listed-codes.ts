import type { ListedCodesFilter } from '#shared/domain/parameters-template.ts';
import type { ListedCodesSource } from '#shared/ports/listed-codes-source.ts';

/** A listed issue as the fake stores it. */
export interface ListedIssue {
  readonly code: string;
  readonly market?: string;
  readonly sector33?: string;
}

/** ListedCodesSource over an in-memory list of issues; records every filter it was asked for. */
export class InMemoryListedCodes implements ListedCodesSource {
  readonly requests: ListedCodesFilter[] = [];
  private readonly issues: readonly ListedIssue[];

  constructor(issues: readonly ListedIssue[] = []) {
    this.issues = issues;
  }

  async listedCodes(filter: ListedCodesFilter): Promise<readonly string[]> {
    this.requests.push(filter);
    const codes = this.issues
      .filter((issue) => filter.market === undefined || issue.market === filter.market)
      .filter((issue) => filter.sector33 === undefined || issue.sector33 === filter.sector33)
      .map((issue) => issue.code);
    return [...new Set(codes)].sort();
  }
}
