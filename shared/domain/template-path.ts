/**
 * Dotted JSON paths for error reports: `parametersTemplate.code.$each[2]`, `parametersTemplate.range.from`.
 * Keys that are not plain identifiers are quoted (`parametersTemplate["odd key"]`) so a path is never ambiguous.
 */

/** The root of every path into a job group's template. */
export const templateRootPath = 'parametersTemplate';

const plainKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The path of `key` (a property name or an array index) under `parent`. */
export function childPath(parent: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const name = String(key);
  return plainKey.test(name) ? `${parent}.${name}` : `${parent}[${JSON.stringify(name)}]`;
}

/** The path of a nested location, e.g. a zod issue path, under `parent`. */
export function descendantPath(parent: string, keys: readonly PropertyKey[]): string {
  return keys.reduce<string>((path, key) => childPath(path, key), parent);
}
