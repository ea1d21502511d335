import type { DatasetDefinition } from '#shared/datasets/dataset.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { isCalendarDate, previousWeekday } from '#shared/domain/calendar-date.ts';
import { type FieldIssue, ValidationError } from '#shared/domain/errors.ts';
import { jobIdentityOf } from '#shared/domain/job-id.ts';
import {
  type CompiledTemplate,
  compileParametersTemplate,
  isDefaultTemplate,
  type ListedCodesFilter,
  listedCodesFilters,
} from '#shared/domain/parameters-template.ts';
import { descendantPath, templateRootPath } from '#shared/domain/template-path.ts';
import type { ListedCodesSource } from '#shared/ports/listed-codes-source.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';

/** One job of a run: a deterministic id (same params, same id) and its validated params. */
export interface ExpandedJob {
  readonly jobId: string;
  readonly params: Record<string, unknown>;
}

/** What to expand: a group's template and dataset, for one scheduled time. */
export interface ExpandJobsRequest {
  readonly template: unknown;
  readonly dataset: DatasetDefinition;
  /** The schedule's fire time, an ISO instant. */
  readonly scheduledTime: string;
  /** The group's IANA time zone; the business date is the scheduled time's date there. */
  readonly timezone: string;
  /** Overrides the business date (manual runs and backfills), `YYYY-MM-DD`. */
  readonly businessDate?: string;
}

/** The lookups a template may need. */
export interface ExpandJobsDeps {
  readonly listedCodes: ListedCodesSource;
  readonly tradingCalendar: TradingCalendar;
}

/** Distinct issues beyond this are counted, not listed, so one bad `$each` of 4,000 codes stays readable. */
const maxReportedIssues = 100;

/**
 * Expands a template into a run's jobs and validates every job's params against the dataset: an absent or `{}`
 * template gives one job of the dataset's defaults; identical params are one job. Throws one ValidationError holding
 * every distinct problem, each at the template path that produced it (`parametersTemplate.code.$each[2]`).
 */
export async function expandJobs(request: ExpandJobsRequest, deps: ExpandJobsDeps): Promise<ExpandedJob[]> {
  const businessDate = resolveBusinessDate(request);
  const { dataset, template } = request;
  const compiled = isDefaultTemplate(template)
    ? defaultJob(dataset, businessDate)
    : await compileWithLookups(request, businessDate, deps);
  return validateJobs(compiled, dataset, businessDate);
}

function resolveBusinessDate({ scheduledTime, timezone, businessDate }: ExpandJobsRequest): string {
  const instant = new Date(scheduledTime);
  if (Number.isNaN(instant.getTime())) throw ValidationError.of('scheduledTime', 'must be an ISO 8601 instant');
  const scheduledDate = businessDateOf(instant, timezone);
  if (businessDate === undefined) return scheduledDate;
  if (!isCalendarDate(businessDate)) throw ValidationError.of('businessDate', 'must be a real date written YYYY-MM-DD');
  return businessDate;
}

function defaultJob(dataset: DatasetDefinition, businessDate: string): CompiledTemplate {
  const params = dataset.defaultParams(businessDate);
  return {
    jobCount: 1,
    jobAt: () => (isRecord(params) ? { ...params } : {}),
    sourcePathOf: (_, keys) => descendantPath(templateRootPath, keys),
  };
}

async function compileWithLookups(
  request: ExpandJobsRequest,
  businessDate: string,
  deps: ExpandJobsDeps,
): Promise<CompiledTemplate> {
  const filters = listedCodesFilters(request.template);
  const [storedPreviousDay, codeLists] = await Promise.all([
    deps.tradingCalendar.previousBusinessDay(businessDate),
    Promise.all(filters.map((filter) => deps.listedCodes.listedCodes(filter))),
  ]);
  const codesByFilter = new Map(filters.map((filter, index) => [filterKey(filter), codeLists[index] ?? []]));
  return compileParametersTemplate(request.template, {
    businessDate,
    scheduledTime: request.scheduledTime,
    previousBusinessDay: storedPreviousDay ?? previousWeekday(businessDate),
    listedCodes: (filter) => codesByFilter.get(filterKey(filter)) ?? [],
  });
}

function validateJobs(compiled: CompiledTemplate, dataset: DatasetDefinition, businessDate: string): ExpandedJob[] {
  const jobs: ExpandedJob[] = [];
  const seenParams = new Set<string>();
  const seenJobIds = new Set<string>();
  const issues = new IssueCollector();
  for (let index = 0; index < compiled.jobCount; index += 1) {
    const raw = compiled.jobAt(index);
    const params = dataset.completeParams?.(raw, businessDate) ?? raw;
    const parsed = dataset.paramsSchema.safeParse(params);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
        const message = issue.code === 'unrecognized_keys' ? `is not a parameter of ${dataset.id}` : issue.message;
        for (const path of keys) issues.add({ path: compiled.sourcePathOf(index, path), message });
      }
      continue;
    }
    const { jobId, canonicalParams } = jobIdentityOf(params);
    if (seenParams.has(canonicalParams)) continue;
    seenParams.add(canonicalParams);
    jobs.push({ jobId: uniqueJobId(jobId, seenJobIds), params });
  }
  issues.throwIfAny();
  return jobs;
}

function uniqueJobId(candidate: string, seen: Set<string>): string {
  let jobId = candidate;
  for (let suffix = 2; seen.has(jobId); suffix += 1) jobId = `${candidate}-${suffix}`;
  seen.add(jobId);
  return jobId;
}

class IssueCollector {
  private readonly issues: FieldIssue[] = [];
  private readonly seen = new Set<string>();

  add(issue: FieldIssue): void {
    const key = `${issue.path}\u0000${issue.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.issues.length < maxReportedIssues) this.issues.push(issue);
  }

  throwIfAny(): void {
    if (this.seen.size === 0) return;
    const unlisted = this.seen.size - this.issues.length;
    const summary = { path: templateRootPath, message: `${unlisted} more problems not listed` };
    throw new ValidationError(unlisted > 0 ? [...this.issues, summary] : this.issues);
  }
}

function filterKey(filter: ListedCodesFilter): string {
  return JSON.stringify([filter.market ?? null, filter.sector33 ?? null]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
