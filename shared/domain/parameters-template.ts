import { type FieldIssue, ValidationError } from '#shared/domain/errors.ts';
import {
  compileTemplateNode,
  isPlainObject,
  parseListedCodesFilter,
  type TemplateNode,
} from '#shared/domain/template-compiler.ts';
import { descendantPath, templateRootPath } from '#shared/domain/template-path.ts';

/**
 * The parameters template of a job group (design §3): plain values are copied into every job, `{ "$each": [...] }`
 * anywhere in the tree fans out (several → cartesian product, first key varying slowest),
 * `{ "$each": { "$listedCodes": {...} } }` fans out over listed codes, and strings may hold date expressions.
 * Pure and synchronous: the asynchronous lookups (listed codes, previous business day) are resolved beforehand.
 */

/** Which listed codes a `$listedCodes` fan-out takes: all of them, or those of one market and/or 33-sector. */
export interface ListedCodesFilter {
  /** J-Quants market code (`Mkt`), e.g. `0111` for Prime. */
  readonly market?: string;
  /** J-Quants 33-sector code (`S33`), e.g. `0050`. */
  readonly sector33?: string;
}

/** The run-fixed values a template expands against. */
export interface TemplateContext {
  /** `YYYY-MM-DD` in the group's time zone. */
  readonly businessDate: string;
  /** The schedule's fire time, an ISO instant. */
  readonly scheduledTime: string;
  /** `YYYY-MM-DD`: the trading day before the business date. */
  readonly previousBusinessDay: string;
  /** The listed codes matching `filter`, already looked up (see `listedCodesFilters`). */
  listedCodes(filter: ListedCodesFilter): readonly string[];
}

/** A template expanding to more jobs than this is rejected before any job is built. */
export const maxJobsPerRun = 100_000;

/** A validated template: its job count, and each job built on demand. */
export interface CompiledTemplate {
  /** How many jobs the template expands to (at most `maxJobsPerRun`; 0 when a `$listedCodes` lookup is empty). */
  readonly jobCount: number;
  /** The params of job `index` (0 ≤ index < jobCount), a fresh object each call. */
  jobAt(index: number): Record<string, unknown>;
  /** The template path that produced field `keys` of job `index`, e.g. `parametersTemplate.code.$each[2]`. */
  sourcePathOf(index: number, keys: readonly PropertyKey[]): string;
}

/** True when the template is absent or `{}`: the run then takes the dataset's default params. */
export function isDefaultTemplate(template: unknown): boolean {
  if (template === undefined || template === null) return true;
  return isPlainObject(template) && Object.values(template).every((value) => value === undefined);
}

/** Validates `template` and sizes it without building jobs; throws a ValidationError listing every bad field. */
export function compileParametersTemplate(template: unknown, context: TemplateContext): CompiledTemplate {
  const issues: FieldIssue[] = [];
  const root = compileTemplateNode(isDefaultTemplate(template) ? {} : template, templateRootPath, context, issues);
  requireObjects(root, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  if (root.size > maxJobsPerRun) throw ValidationError.of(templateRootPath, describeOversize(root));
  return {
    jobCount: root.size,
    jobAt: (index) => {
      const job = buildValue(root, checkedIndex(index, root.size));
      return isPlainObject(job) ? job : {};
    },
    sourcePathOf: (index, keys) => sourcePath(root, checkedIndex(index, root.size), keys),
  };
}

/** Every job's params, in order; throws a ValidationError for a malformed template or more than 100,000 jobs. */
export function expandParametersTemplate(template: unknown, context: TemplateContext): Record<string, unknown>[] {
  const compiled = compileParametersTemplate(template, context);
  return Array.from({ length: compiled.jobCount }, (_, index) => compiled.jobAt(index));
}

/** The distinct `$listedCodes` filters a template uses, in order of appearance; malformed ones are skipped. */
export function listedCodesFilters(template: unknown): ListedCodesFilter[] {
  const found = new Map<string, ListedCodesFilter>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (isPlainObject(value)) {
      const each = value.$each;
      if (isPlainObject(each) && Object.hasOwn(each, '$listedCodes')) {
        const { filter } = parseListedCodesFilter(each.$listedCodes, '');
        if (filter !== undefined) found.set(JSON.stringify([filter.market, filter.sector33]), filter);
      } else {
        Object.values(value).forEach(visit);
      }
    }
  };
  visit(template);
  return [...found.values()];
}

function requireObjects(node: TemplateNode, issues: FieldIssue[]): void {
  if (node.kind === 'each') {
    for (const option of node.options) requireObjects(option, issues);
  } else if (node.kind !== 'object') {
    issues.push({ path: node.path, message: 'must be an object of job parameters' });
  }
}

function buildValue(node: TemplateNode, index: number): unknown {
  switch (node.kind) {
    case 'value':
      return node.value;
    case 'each': {
      const [option, local] = pickOption(node, index);
      return buildValue(option, local);
    }
    case 'array':
      return node.children.map((child) => buildValue(child.node, childIndex(index, child)));
    case 'object': {
      const params: Record<string, unknown> = {};
      for (const child of node.children) {
        // defineProperty keeps a `__proto__` key from JSON an own property instead of a prototype swap.
        Object.defineProperty(params, child.key, {
          value: buildValue(child.node, childIndex(index, child)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return params;
    }
  }
}

function sourcePath(root: TemplateNode, index: number, keys: readonly PropertyKey[]): string {
  let node = root;
  let local = index;
  let depth = 0;
  for (;;) {
    if (node.kind === 'each') {
      [node, local] = pickOption(node, local);
      continue;
    }
    const key = keys[depth];
    const child = node.kind === 'value' ? undefined : node.children.find((candidate) => candidate.key === key);
    if (child === undefined) return descendantPath(node.path, keys.slice(depth));
    local = childIndex(local, child);
    node = child.node;
    depth += 1;
  }
}

function pickOption(node: Extract<TemplateNode, { kind: 'each' }>, index: number): [TemplateNode, number] {
  let low = 0;
  let high = node.offsets.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((node.offsets[middle] ?? Number.POSITIVE_INFINITY) <= index) low = middle;
    else high = middle - 1;
  }
  const option = node.options[low];
  if (option === undefined) throw new RangeError(`${node.path} has no value ${index}`);
  return [option, index - (node.offsets[low] ?? 0)];
}

function childIndex(index: number, child: { readonly stride: number; readonly node: TemplateNode }): number {
  return Math.floor(index / child.stride) % child.node.size;
}

function checkedIndex(index: number, size: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`no job ${index} of ${size}`);
  return index;
}

function describeOversize(root: TemplateNode): string {
  const factors: TemplateNode[] = [];
  const collect = (node: TemplateNode): void => {
    if (node.kind === 'each') factors.push(node);
    else if (node.kind !== 'value') for (const child of node.children) collect(child.node);
  };
  collect(root);
  const breakdown = factors
    .filter((factor) => factor.size !== 1)
    .map((factor) => `${factor.path} (${formatCount(factor.size)})`)
    .join(' × ');
  return `expands to ${formatCount(root.size)} jobs, more than the ${formatCount(maxJobsPerRun)} allowed per run: ${breakdown}`;
}

function formatCount(count: number): string {
  return Number.isFinite(count) ? count.toLocaleString('en-US') : 'more than 10^308';
}
