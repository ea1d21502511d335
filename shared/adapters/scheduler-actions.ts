import type { ScheduleStore } from '#shared/ports/schedule-store.ts';

/** A method of the ScheduleStore port. */
export type ScheduleStoreMethod = keyof ScheduleStore;

/**
 * The EventBridge Scheduler actions each method of `EventBridgeScheduleStore` calls, so that a function's role can
 * grant exactly what its code uses (infra's `bindScheduleGroup`). `upsert` updates, and creates a schedule that is
 * missing; `list` lists the group, then reads each schedule in full. A unit test holds the adapter to this table.
 */
export const schedulerActionsOf: Readonly<Record<ScheduleStoreMethod, readonly SchedulerAction[]>> = {
  upsert: ['scheduler:UpdateSchedule', 'scheduler:CreateSchedule'],
  delete: ['scheduler:DeleteSchedule'],
  get: ['scheduler:GetSchedule'],
  list: ['scheduler:ListSchedules', 'scheduler:GetSchedule'],
};

/** The Scheduler actions the store calls; all but ListSchedules act on one schedule's ARN. */
export type SchedulerAction =
  | 'scheduler:CreateSchedule'
  | 'scheduler:UpdateSchedule'
  | 'scheduler:DeleteSchedule'
  | 'scheduler:GetSchedule'
  | 'scheduler:ListSchedules';
