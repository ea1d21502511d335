import type { DataSourceId, JquantsPlan } from '#shared/domain/data-source.ts';
import type * as z from '#shared/zod.ts';

/**
 * What every dataset declares: where its data comes from, which job params it accepts, what a stored row looks
 * like and which row fields identify it. Pure data plus zod schemas: the data sources, the dispatcher's request
 * planner and the admin API all read the same definition.
 */

export {
  type DataSourceId,
  DataSourceIdSchema,
  type JquantsPlan,
  JquantsPlanSchema,
} from '#shared/domain/data-source.ts';

/** One kind of data of one source. `Params` are one job's params, `Row` one normalised stored row. */
export interface DatasetDefinition<Params = unknown, Row = unknown> {
  /** e.g. `jquants.equities.bars.daily`. */
  readonly id: string;
  readonly dataSource: DataSourceId;
  readonly description: string;
  /** Upstream path, e.g. `/equities/bars/daily` or `/v8/finance/chart/{symbol}`. */
  readonly endpoint: string;
  /** A job's params; strict (unknown keys rejected), each issue carrying the path of its field. */
  readonly paramsSchema: z.ZodMiniType<Params>;
  /** A stored row: camelCase fields, numbers or null, `YYYY-MM-DD` dates, string codes, plus `fetchedAt`, `runId`. */
  readonly rowSchema: z.ZodMiniType<Row>;
  /** Row fields that identify a row; rows are upserted on them (design §1). */
  readonly naturalKey: readonly string[];
  /**
   * The measured row fields (prices, volumes, amounts, ratios), never keys, names, flags or factors. A row with every
   * one null does not replace a stored row that has one (`isEmptyOfValues`); empty when rows hold no measures.
   */
  readonly valueFields: readonly string[];
  /** Upstream field name of each row field the upstream sends as is (J-Quants: `{ turnoverValue: 'Va' }`). */
  readonly upstreamFields?: Readonly<Record<string, string>>;
  /** The cheapest J-Quants plan that serves the endpoint. */
  readonly minimumPlan?: JquantsPlan;
  /** The endpoint has its own rate cap besides the plan's (`/fins/summary`: 60/min on every plan). */
  readonly rateLimitBucket?: 'fins';
  /** One request with only `date` returns every code: the planner may fetch one date for many jobs at once. */
  readonly dateWide: boolean;
  /** The params of the one job of a run whose template is absent or `{}`. */
  defaultParams(businessDate: string): Params;
  /** Fills params a template may leave out and that default to the run's business date; applied before validation. */
  completeParams?(params: Readonly<Record<string, unknown>>, businessDate: string): Record<string, unknown>;
}
