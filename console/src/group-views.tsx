import { api, segment } from './api.ts';
import { Status } from './components.tsx';
import { timeIn } from './format.ts';
import type { Group, Preview } from './types.ts';

/** The calendar a group's fire times follow: its own, else `jpx` for J-Quants and `none` for the rest. */
export function calendarOf(group: Pick<Group, 'calendar' | 'dataSource'>): 'jpx' | 'none' {
  return group.calendar ?? (group.dataSource === 'jquants' ? 'jpx' : 'none');
}

/** The next fire times of a group's schedule, holidays marked when it follows the JPX calendar. */
export function previewOf(group: Group, count: number): Promise<Preview | undefined> {
  if (group.schedule === null) return Promise.resolve(undefined);
  return api<Preview>('POST', '/schedules/preview', {
    schedule: group.schedule,
    timezone: group.timezone,
    count,
    calendar: calendarOf(group),
  });
}

/** Enabled, paused (with reason and until) or disabled. */
export function GroupState({ group }: { group: Group }) {
  if (group.pause !== null) {
    return (
      <span>
        <Status status="paused" /> <span class="pause-reason">{group.pause.reason}</span>
        {group.pause.until === undefined ? null : (
          <span class="muted"> until {timeIn(group.pause.until, group.timezone)}</span>
        )}
      </span>
    );
  }
  return group.enabled ? <Status status="ok" label="enabled" /> : <Status status="quiet" label="disabled" />;
}

/** On time, or late since when for which business date. */
export function GroupHealth({ group }: { group: Group }) {
  const health = group.health;
  if (health === undefined) return <span class="muted">—</span>;
  if (health.state === 'ok') return <Status status="ok" label="on time" />;
  return (
    <span>
      <Status status="late" label="late" />
      <span class="muted">
        {' '}
        {health.businessDate === undefined ? '' : `for ${health.businessDate}`}
        {health.since === undefined ? '' : ` since ${timeIn(health.since, group.timezone)}`}
      </span>
    </span>
  );
}

/** Reads one group, with its health. */
export const loadGroup = (groupId: string): Promise<Group> => api<Group>('GET', `/groups/${segment(groupId)}`);
