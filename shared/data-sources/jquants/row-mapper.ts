import {
  toBooleanOrNull,
  toCode,
  toNumberOrNull,
  toSector33Code,
  toText,
  toTextOrNull,
  UnreadableValueError,
} from '#shared/data-sources/jquants/normalise.ts';
import type { DatasetDefinition } from '#shared/datasets/dataset.ts';

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

/** What a row mapper made of one upstream row. */
export type MappedRow =
  | { readonly ok: true; readonly row: Record<string, unknown> }
  | {
      readonly ok: false;
      /** One per field that could not be read, each naming the upstream field; never the whole row. */
      readonly problems: readonly string[];
      /** The row fields that could be read (the series, when it is readable), normalised. */
      readonly readable: Readonly<Record<string, unknown>>;
    };

/** Turns one J-Quants row (unknown JSON) into a normalised row without `fetchedAt`/`runId`, or says why it cannot. */
export type RowMapper = (raw: unknown) => MappedRow;

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
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, problems: ['the row is not an object'], readable: {} };
    }
    const source = raw as Readonly<Record<string, unknown>>;
    const row: Record<string, unknown> = {};
    const problems: string[] = [];
    // Every field is read, so a rejection names each bad field and still carries the series when it is readable.
    for (const plan of plans) {
      const value = Object.hasOwn(source, plan.upstream) ? source[plan.upstream] : undefined;
      if (value === undefined && plan.optional) continue;
      try {
        row[plan.field] = readField(value, plan);
      } catch (error) {
        if (!(error instanceof UnreadableValueError)) throw error;
        problems.push(error.message);
      }
    }
    return problems.length === 0 ? { ok: true, row } : { ok: false, problems, readable: row };
  };
}

function readField(value: unknown, plan: FieldPlan): unknown {
  const { upstream, kind } = plan;
  switch (kind) {
    case 'number':
      return toNumberOrNull(value ?? null, upstream);
    case 'boolean':
      return toBooleanOrNull(value ?? null, upstream);
    case 'textOrNull':
      return toTextOrNull(value ?? null, upstream);
    case 'text':
      return toText(value, upstream);
    case 'code':
      return toCode(value, upstream);
    case 'sector33Code':
      return toSector33Code(value, upstream);
    case 'id': {
      const text = toText(value, upstream);
      if (text === '') throw new UnreadableValueError(upstream, `${upstream}: got ""; expected a non-empty string`);
      return text;
    }
  }
}
