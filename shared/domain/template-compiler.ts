import { type DateExpressionValues, substituteDateExpressions } from '#shared/domain/date-expressions.ts';
import type { FieldIssue } from '#shared/domain/errors.ts';
import type { ListedCodesFilter } from '#shared/domain/parameters-template.ts';
import { childPath } from '#shared/domain/template-path.ts';

/**
 * Turns a parameters template (parsed JSON) into a tree whose every node knows how many distinct values it
 * expands to, so the job count is known before a single job is built. Date expressions are substituted and
 * `$listedCodes` lookups resolved while compiling; every malformed field is collected, never only the first.
 */

/** What compiling needs from the run: date values and the listed codes already looked up. */
export interface CompileContext extends DateExpressionValues {
  listedCodes(filter: ListedCodesFilter): readonly string[];
}

type JsonScalar = string | number | boolean | null;

/** One node of a compiled template; `size` is the number of distinct values it expands to. */
export type TemplateNode =
  | { readonly kind: 'value'; readonly path: string; readonly size: number; readonly value: JsonScalar }
  | { readonly kind: 'object'; readonly path: string; readonly size: number; readonly children: readonly Child[] }
  | { readonly kind: 'array'; readonly path: string; readonly size: number; readonly children: readonly Child[] }
  | {
      readonly kind: 'each';
      readonly path: string;
      readonly size: number;
      readonly options: readonly TemplateNode[];
      /** Index of the first value of each option within this node's values. */
      readonly offsets: readonly number[];
    };

/** A child of an object (by key) or array (by index); `stride` is how many values its later siblings combine to. */
export interface Child {
  readonly key: string | number;
  readonly node: TemplateNode;
  readonly stride: number;
}

const eachKey = '$each';
const listedCodesKey = '$listedCodes';
const listedCodesFilterKeys: readonly string[] = ['market', 'sector33'];
const eachShapeHint = `must be an array of values or { "${listedCodesKey}": { "market"?: "…", "sector33"?: "…" } }`;

/** Compiles `template` found at `path`, appending every problem found to `issues`. */
export function compileTemplateNode(
  template: unknown,
  path: string,
  context: CompileContext,
  issues: FieldIssue[],
): TemplateNode {
  if (Array.isArray(template)) {
    return container(
      'array',
      path,
      template.map((item, index) => [index, compileTemplateNode(item, childPath(path, index), context, issues)]),
    );
  }
  if (isPlainObject(template)) {
    if (Object.hasOwn(template, eachKey)) return compileEach(template, path, context, issues);
    const children: [string, TemplateNode][] = [];
    for (const [key, value] of Object.entries(template)) {
      if (value === undefined) continue;
      if (key.startsWith('$')) {
        issues.push({ path: childPath(path, key), message: `unknown operator '${key}'; only ${eachKey} is supported` });
        continue;
      }
      children.push([key, compileTemplateNode(value, childPath(path, key), context, issues)]);
    }
    return container('object', path, children);
  }
  return compileScalar(template, path, context, issues);
}

/** The `$listedCodes` filter at `value`, or the issues that make it unusable. */
export function parseListedCodesFilter(
  value: unknown,
  path: string,
): { filter?: ListedCodesFilter; issues: FieldIssue[] } {
  if (!isPlainObject(value)) {
    return { issues: [{ path, message: 'must be an object with optional "market" and "sector33" strings' }] };
  }
  const issues: FieldIssue[] = [];
  const filter: { market?: string; sector33?: string } = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (key !== 'market' && key !== 'sector33') {
      issues.push({ path: childPath(path, key), message: `unknown filter; use ${listedCodesFilterKeys.join(' or ')}` });
    } else if (typeof field !== 'string' || field.trim() === '') {
      issues.push({ path: childPath(path, key), message: 'must be a non-empty string' });
    } else {
      filter[key] = field;
    }
  }
  return issues.length > 0 ? { issues } : { filter, issues };
}

/** True for `{…}` objects parsed from JSON (not arrays, dates or class instances). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function compileEach(
  template: Record<string, unknown>,
  path: string,
  context: CompileContext,
  issues: FieldIssue[],
): TemplateNode {
  for (const key of Object.keys(template)) {
    if (key !== eachKey) issues.push({ path: childPath(path, key), message: `not allowed next to ${eachKey}` });
  }
  const eachPath = childPath(path, eachKey);
  const source = template[eachKey];
  if (Array.isArray(source)) {
    if (source.length === 0) issues.push({ path: eachPath, message: 'must list at least one value' });
    return each(
      eachPath,
      source.map((item, index) => compileTemplateNode(item, childPath(eachPath, index), context, issues)),
    );
  }
  if (isPlainObject(source) && Object.hasOwn(source, listedCodesKey)) {
    for (const key of Object.keys(source)) {
      if (key !== listedCodesKey)
        issues.push({ path: childPath(eachPath, key), message: `not allowed next to ${listedCodesKey}` });
    }
    const filterPath = childPath(eachPath, listedCodesKey);
    const parsed = parseListedCodesFilter(source[listedCodesKey], filterPath);
    issues.push(...parsed.issues);
    const codes = parsed.filter === undefined ? [] : context.listedCodes(parsed.filter);
    return each(
      eachPath,
      codes.map((code) => ({ kind: 'value', path: filterPath, size: 1, value: code })),
    );
  }
  issues.push({ path: eachPath, message: eachShapeHint });
  return each(eachPath, []);
}

function compileScalar(template: unknown, path: string, context: CompileContext, issues: FieldIssue[]): TemplateNode {
  const value = (scalar: JsonScalar): TemplateNode => ({ kind: 'value', path, size: 1, value: scalar });
  if (typeof template === 'string') {
    const substituted = substituteDateExpressions(template, context);
    if (substituted.ok) return value(substituted.value);
    issues.push({ path, message: substituted.error });
    return value(template);
  }
  if (typeof template === 'number' && !Number.isFinite(template)) {
    issues.push({ path, message: 'must be a finite number' });
    return value(null);
  }
  if (template === null || typeof template === 'number' || typeof template === 'boolean') return value(template);
  issues.push({ path, message: 'must be a JSON value (string, number, boolean, null, array or object)' });
  return value(null);
}

function container(
  kind: 'object' | 'array',
  path: string,
  entries: readonly [string | number, TemplateNode][],
): TemplateNode {
  const children: Child[] = [];
  let stride = 1;
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index];
    if (entry === undefined) continue;
    children.push({ key: entry[0], node: entry[1], stride });
    stride = multiply(stride, entry[1].size);
  }
  return { kind, path, size: stride, children: children.reverse() };
}

function each(path: string, options: readonly TemplateNode[]): TemplateNode {
  const offsets: number[] = [];
  let size = 0;
  for (const option of options) {
    offsets.push(size);
    size += option.size;
  }
  return { kind: 'each', path, size, options, offsets };
}

/** Sizes only grow past the job cap when a template is rejected, so overflow to Infinity is harmless; 0 wins. */
function multiply(left: number, right: number): number {
  return left === 0 || right === 0 ? 0 : left * right;
}
