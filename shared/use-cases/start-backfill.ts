import { type Backfill, type BackfillRequest, newBackfill } from '#shared/domain/backfill.ts';
import { businessDateOf } from '#shared/domain/business-date.ts';
import { addDays } from '#shared/domain/calendar-date.ts';
import { defaultSettings } from '#shared/domain/data-source-settings.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import { planWindow, withinWindow } from '#shared/domain/plan-windows.ts';
import type { Log } from '#shared/observability/logger.ts';
import type { BackfillStore } from '#shared/ports/backfill-store.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { DataSourceSettingsStore } from '#shared/ports/data-source-settings-store.ts';
import type { JobGroupStore } from '#shared/ports/job-group-store.ts';
import type { StepRequests } from '#shared/ports/step-requests.ts';

export interface StartBackfillDeps {
  readonly groupStore: JobGroupStore;
  readonly backfillStore: BackfillStore;
  readonly settingsStore: DataSourceSettingsStore;
  readonly steps: StepRequests;
  readonly clock: Clock;
  readonly log: Log;
}

/** The longest range one backfill takes: the deepest history any plan serves (Premium, 20 years). */
const maxRangeDays = 20 * 366;

/**
 * Starts a backfill of a group (design §5, `POST /groups/{id}/backfill`): the range must be real dates in order,
 * not past today (in Japan), and within the history the data source's plan serves — a range outside is refused
 * naming the window. The backfill is stored `planning` and its first step requested; it plans and runs in the
 * background from there.
 */
export async function startBackfill(
  groupId: string,
  request: BackfillRequest,
  deps: StartBackfillDeps,
): Promise<Backfill> {
  const group = await deps.groupStore.get(groupId);
  if (group === undefined) throw new NotFoundError('job group', groupId);
  const at = deps.clock.now();
  const today = businessDateOf(at, 'Asia/Tokyo');
  if (request.to < request.from) throw ValidationError.of('to', `must not be before from (${request.from})`);
  if (request.to > today) throw ValidationError.of('to', `must not be after today in Japan (${today})`);
  if (request.from < addDays(request.to, -maxRangeDays)) {
    throw ValidationError.of('from', 'a backfill covers at most 20 years: split the range');
  }
  const settings =
    (await deps.settingsStore.get(group.dataSource)) ?? defaultSettings(group.dataSource, at.toISOString());
  const window = planWindow(group.dataSource, settings.plan, today);
  if (window !== undefined && !withinWindow(window, request.from, request.to)) {
    const served = `the ${group.dataSource} ${settings.plan} plan serves ${window.earliest}…${window.latest}`;
    throw ValidationError.of(
      request.from < window.earliest ? 'from' : 'to',
      `${request.from}…${request.to} is outside the plan's window: ${served}`,
    );
  }
  const backfill = newBackfill({
    groupId,
    dataSource: group.dataSource,
    dataset: group.dataset,
    from: request.from,
    to: request.to,
    force: request.force ?? false,
    at: at.toISOString(),
  });
  await deps.backfillStore.create(backfill);
  await deps.steps.backfill(backfill.backfillId);
  deps.log.info('backfill started', { groupId, backfillId: backfill.backfillId, from: backfill.from, to: backfill.to });
  return backfill;
}
