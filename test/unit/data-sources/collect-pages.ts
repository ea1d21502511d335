import { inspect } from 'node:util';
import { expect } from 'vitest';
import { UpstreamError } from '#shared/ports/upstream-errors.ts';

/** Every page `pages` yields, in order, pulled one after the other. */
export async function collectPages<Page>(pages: AsyncIterable<Page>): Promise<Page[]> {
  const collected: Page[] = [];
  for await (const page of pages) collected.push(page);
  return collected;
}

/** The one page of an answer that has exactly one. */
export async function onlyPageOf<Page>(pages: AsyncIterable<Page>): Promise<Page> {
  const [page, ...more] = await collectPages(pages);
  expect(more).toHaveLength(0);
  if (page === undefined) throw new Error('expected one page, got none');
  return page;
}

/** What pulling every page threw; fails the test when nothing was thrown. */
export async function failureOfPages(pages: AsyncIterable<unknown>): Promise<unknown> {
  try {
    await collectPages(pages);
  } catch (error) {
    return error;
  }
  throw new Error('expected the pages to fail');
}

/** The UpstreamError pulling every page threw, checked to hold no trace of `secret`. */
export async function upstreamFailureOf(pages: AsyncIterable<unknown>, secret: string): Promise<UpstreamError> {
  const error = await failureOfPages(pages);
  if (!(error instanceof UpstreamError)) throw new Error(`expected an UpstreamError, got ${inspect(error)}`);
  expect(inspect(error, { depth: 8 })).not.toContain(secret);
  return error;
}
