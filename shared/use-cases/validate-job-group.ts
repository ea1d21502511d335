import { getDataset } from '#shared/datasets/registry.ts';
import { isValidTimezone, nextFireTimes, parseCron } from '#shared/domain/cron.ts';
import { type FieldIssue, ValidationError } from '#shared/domain/errors.ts';
import type { JobGroup } from '#shared/domain/job-group.ts';
import { jobGroupSizeIssue } from '#shared/domain/job-group-size.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { ListedCodesSource } from '#shared/ports/listed-codes-source.ts';
import type { TradingCalendar } from '#shared/ports/trading-calendar.ts';
import { expandJobs } from '#shared/use-cases/expand-jobs.ts';

/** What a group definition is checked against. */
export interface ValidateJobGroupDeps {
  readonly groupStore: JobGroupStore;
  readonly listedCodes: ListedCodesSource;
  readonly tradingCalendar: TradingCalendar;
  readonly clock: Clock;
}

/** The fields of a group that decide whether it can run. */
export type JobGroupDefinition = Pick<
  JobGroup,
  'id' | 'dataSource' | 'dataset' | 'schedule' | 'timezone' | 'parametersTemplate' | 'dependsOn'
>;

/**
 * Checks everything a schema cannot: the cron (and that AWS can express it), the timezone, that the dataset exists
 * and belongs to the data source, that dependencies exist without cycles, and that the template expands — for the
 * next fire time — into jobs whose params the dataset accepts, and that the group fits in one stored item. Throws one
 * ValidationError with every problem.
 */
export async function validateJobGroup(definition: JobGroup, deps: ValidateJobGroupDeps): Promise<void> {
  // Measured first: a group too big to store is refused whatever else is wrong, and its template is not expanded.
  const sizeIssue = jobGroupSizeIssue(definition);
  const issues: FieldIssue[] = sizeIssue === undefined ? [] : [sizeIssue];
  const collect = (check: () => void): void => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  };

  let sampleTime = deps.clock.now();
  const { schedule } = definition;
  collect(() => {
    if (schedule === null) return;
    const cron = parseCron(schedule);
    if (isValidTimezone(definition.timezone)) {
      sampleTime = nextFireTimes(cron, definition.timezone, { after: sampleTime, count: 1 })[0] ?? sampleTime;
    }
  });
  if (!isValidTimezone(definition.timezone)) {
    issues.push({ path: 'timezone', message: `'${definition.timezone}' is not an IANA timezone (e.g. Asia/Tokyo)` });
  }

  const dataset = getDataset(definition.dataset);
  if (dataset === undefined) {
    issues.push({ path: 'dataset', message: `unknown dataset '${definition.dataset}'; GET /datasets lists them` });
  } else if (dataset.dataSource !== definition.dataSource) {
    issues.push({
      path: 'dataset',
      message: `${dataset.id} comes from data source '${dataset.dataSource}', not '${definition.dataSource}'`,
    });
  }

  issues.push(...(await dependencyIssues(definition, deps.groupStore)));

  const expandable = dataset !== undefined && dataset.dataSource === definition.dataSource;
  if (expandable && sizeIssue === undefined && isValidTimezone(definition.timezone)) {
    const template = definition.parametersTemplate;
    const request = { template, dataset, scheduledTime: sampleTime.toISOString(), timezone: definition.timezone };
    try {
      await expandJobs(request, deps);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }

  if (issues.length > 0) throw new ValidationError(issues);
}

async function dependencyIssues(definition: JobGroupDefinition, groupStore: JobGroupStore): Promise<FieldIssue[]> {
  if (definition.dependsOn.length === 0) return [];
  const issues: FieldIssue[] = [];
  const listing = await groupStore.list();
  const groups = new Map(listing.groups.map((group) => [group.id, group.dependsOn]));
  const unreadable = new Map(listing.unreadable.map((group) => [group.id, group.error]));
  groups.set(definition.id, definition.dependsOn);
  const seen = new Set<string>();
  for (const [index, dependency] of definition.dependsOn.entries()) {
    const path = `dependsOn[${index}]`;
    if (seen.has(dependency)) issues.push({ path, message: `'${dependency}' is listed twice` });
    else if (dependency === definition.id) issues.push({ path, message: 'a group cannot depend on itself' });
    else if (unreadable.has(dependency)) {
      issues.push({
        path,
        message: `job group '${dependency}' is stored but unreadable (${unreadable.get(dependency)})`,
      });
    } else if (!groups.has(dependency)) issues.push({ path, message: `no job group '${dependency}' exists` });
    else if (reaches(groups, dependency, definition.id)) {
      issues.push({ path, message: `'${dependency}' already depends on '${definition.id}': that is a cycle` });
    }
    seen.add(dependency);
  }
  return issues;
}

/** True when `from` depends on `target`, directly or through other groups. */
function reaches(graph: ReadonlyMap<string, readonly string[]>, from: string, target: string): boolean {
  const stack = [from];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (current === target) return true;
    if (visited.has(current)) continue;
    visited.add(current);
    stack.push(...(graph.get(current) ?? []));
  }
  return false;
}
