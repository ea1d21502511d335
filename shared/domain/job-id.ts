/**
 * Job ids: a function of the params alone, so the same params always get the same id (a re-dispatched run
 * addresses the same jobs) and distinct params within a run get distinct ids. The id opens with a readable slug
 * of the param values (`72030_2026-01-05`) and ends with a hash of the canonical params.
 */

const maxSlugLength = 48;

/** The job id of `params`, e.g. `72030_2026-01-05-1f3a9c0b7d2e`; only `[A-Za-z0-9._-]` characters. */
export function jobIdOf(params: Readonly<Record<string, unknown>>): string {
  return jobIdentityOf(params).jobId;
}

/** A job's id together with its canonical params (the text two jobs share exactly when their params are equal). */
export function jobIdentityOf(params: Readonly<Record<string, unknown>>): { jobId: string; canonicalParams: string } {
  const sorted = sortKeys(params);
  const canonicalParams = JSON.stringify(sorted);
  const slug = leafValues(sorted)
    .join('_')
    .replace(/[^A-Za-z0-9.-]+/g, '_')
    .slice(0, maxSlugLength)
    .replace(/^[_.-]+|[_.-]+$/g, '');
  const hash = hash53(canonicalParams).toString(16).padStart(14, '0').slice(-12);
  return { jobId: slug === '' ? `job-${hash}` : `${slug}-${hash}`, canonicalParams };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) {
    const child = sortKeys(source[key]);
    // defineProperty keeps a `__proto__` key an own property instead of a prototype swap.
    if (key === '__proto__') Object.defineProperty(sorted, key, { value: child, enumerable: true, writable: true });
    else sorted[key] = child;
  }
  return sorted;
}

/** Leaf values in order; `value` has its keys sorted already. */
function leafValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(leafValues);
  return value === undefined ? [] : [String(value)];
}

/** A fast non-cryptographic 53-bit string hash (two multiplicative 32-bit lanes, mixed). */
function hash53(text: string): number {
  let first = 0xdeadbeef;
  let second = 0x41c6ce57;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 2654435761);
    second = Math.imul(second ^ code, 1597334677);
  }
  first = Math.imul(first ^ (first >>> 16), 2246822507) ^ Math.imul(second ^ (second >>> 13), 3266489909);
  second = Math.imul(second ^ (second >>> 16), 2246822507) ^ Math.imul(first ^ (first >>> 13), 3266489909);
  return 4_294_967_296 * (2_097_151 & second) + (first >>> 0);
}
