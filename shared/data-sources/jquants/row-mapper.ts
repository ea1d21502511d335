import {
  toBooleanOrNull,
  toCode,
  toNumberOrNull,
  toSector33Code,
  toText,
  toTextOrNull,
} from '#shared/data-sources/jquants/normalise.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { PermanentUpstreamError } from '#shared/ports/upstream-errors.ts';

/**
 * How a row field is read from the J-Quants value of its upstream field:
 * - `id`: a non-empty string that must be present (dates, numbers of a disclosure, sections);
 * - `text`: a string that must be present, kept as sent (names, categories);
 * - `textOrNull`: a string, null for a blank or a missing field (flags, optional dates, times);
 * - `number`: a number, null for a blank or a missing field (never 0);
 * - `boolean`: `"true"`/`"false"`, null for a blank or a missing field;
 * - `code`: an issue or index code string (`130A0`), never a number;
 * - `sector33Code`: a 33-sector code, padded to 4 digits.
 */
export type FieldKind = 'id' | 'text' | 'textOrNull' | 'number' | 'boolean' | 'code' | 'sector33Code';

/** How one dataset's rows are read. */
export interface RowSpec {
  /** The kind of every row field; the upstream name comes from the dataset's `upstreamFields`. */
  readonly fields: Readonly<Record<string, FieldKind>>;
  /** Fields only some plans or newer rows carry: when the upstream omits one, the row omits it too (not null). */
  readonly optional?: readonly string[];
}

/** Turns one J-Quants row (unknown JSON) into a normalised row without `fetchedAt`/`runId`. */
export type RowMapper = (raw: unknown) => Record<string, unknown>;

interface FieldPlan {
  readonly field: string;
  readonly upstream: string;
  readonly kind: FieldKind;
  readonly optional: boolean;
}

/**
 * A mapper for `dataset`'s rows. Throws at once (a programming error) when the spec and the dataset's
 * `upstreamFields` do not name exactly the same row fields, so a field added to a dataset is never silently dropped.
 */
export function compileRowMapper(dataset: DatasetDefinition, spec: RowSpec): RowMapper {
  const upstreamFields = dataset.upstreamFields ?? {};
  const missingKinds = Object.keys(upstreamFields).filter((field) => !(field in spec.fields));
  const unknownFields = Object.keys(spec.fields).filter((field) => !(field in upstreamFields));
  if (missingKinds.length > 0 || unknownFields.length > 0) {
    throw new Error(
      `row spec of ${dataset.id} does not match its upstreamFields: ` +
        `no kind for [${missingKinds.join(', ')}], no upstream name for [${unknownFields.join(', ')}]`,
    );
  }
  const optional = new Set(spec.optional ?? []);
  const plans: FieldPlan[] = Object.entries(spec.fields).map(([field, kind]) => ({
    field,
    upstream: upstreamFields[field] ?? field,
    kind,
    optional: optional.has(field),
  }));
  const { endpoint } = dataset;
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new PermanentUpstreamError(`J-Quants ${endpoint} sent a row that is not an object`, { endpoint });
    }
    const source = raw as Readonly<Record<string, unknown>>;
    const row: Record<string, unknown> = {};
    for (const plan of plans) {
      const value = Object.hasOwn(source, plan.upstream) ? source[plan.upstream] : undefined;
      if (value === undefined && plan.optional) continue;
      row[plan.field] = readField(value, plan, endpoint);
    }
    return row;
  };
}

function readField(value: unknown, plan: FieldPlan, endpoint: string): unknown {
  const { upstream, kind } = plan;
  switch (kind) {
    case 'number':
      return toNumberOrNull(value ?? null, upstream, endpoint);
    case 'boolean':
      return toBooleanOrNull(value ?? null, upstream, endpoint);
    case 'textOrNull':
      return toTextOrNull(value ?? null, upstream, endpoint);
    case 'text':
      return toText(value, upstream, endpoint);
    case 'code':
      return toCode(value, upstream, endpoint);
    case 'sector33Code':
      return toSector33Code(value, upstream, endpoint);
    case 'id': {
      const text = toText(value, upstream, endpoint);
      if (text === '') {
        throw new PermanentUpstreamError(`J-Quants ${endpoint} sent an empty ${upstream}`, { endpoint });
      }
      return text;
    }
  }
}
