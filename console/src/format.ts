import cronstrue from 'cronstrue';

/** Statuses that are still moving. */
const activeRunStatuses = new Set(['waiting', 'dispatching', 'running']);

/** Whether a run is still going (dispatching, running, or waiting for its dependencies). */
export function isRunActive(status: string | undefined): boolean {
  return status !== undefined && activeRunStatuses.has(status);
}

/** A status word for people: `partially_failed` → `partially failed`. */
export function statusWord(status: string): string {
  return status.replace(/_/g, ' ');
}

/** The tone of a status, for its colour: good, bad, warn, busy or quiet. */
export function toneOf(status: string): 'good' | 'bad' | 'warn' | 'busy' | 'quiet' {
  if (status === 'succeeded' || status === 'ok') return 'good';
  if (status === 'failed' || status === 'late' || status === 'failing' || status === 'missed') return 'bad';
  if (status === 'partially_failed' || status === 'paused' || status === 'cancelled') return 'warn';
  if (activeRunStatuses.has(status) || status === 'planning') return 'busy';
  return 'quiet';
}

/**
 * An instant as a wall-clock time in a timezone, with the zone named: `2026-12-07 17:00 Asia/Tokyo`. Operators
 * read a group's times in the group's own timezone.
 */
export function timeIn(iso: string | undefined, timezone: string, withSeconds = false): string {
  if (iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const time = `${parts.hour}:${parts.minute}${withSeconds ? `:${parts.second}` : ''}`;
  return `${parts.year}-${parts.month}-${parts.day} ${time} ${timezone}`;
}

/** The weekday of a date in a timezone, e.g. `Mon`. */
export function weekdayIn(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short' }).format(new Date(iso));
}

/**
 * A wall-clock time in a timezone (`2026-12-01T09:00`, from a datetime-local field) as an ISO instant: the zone's
 * offset at that time, found by formatting a first guess back into the zone and correcting by the difference.
 */
export function instantOf(wallTime: string, timezone: string): string {
  const asUtc = Date.parse(`${wallTime}:00Z`);
  if (Number.isNaN(asUtc)) throw new Error(`not a date and time: ${wallTime}`);
  let guess = asUtc;
  for (let step = 0; step < 2; step += 1) {
    const shown = timeIn(new Date(guess).toISOString(), timezone, true).split(' ');
    const shownUtc = Date.parse(`${shown[0]}T${shown[1]}Z`);
    guess += asUtc - shownUtc;
  }
  return new Date(guess).toISOString();
}

/** A group's schedule in words: the cron read out, or what a group without one runs after. */
export function scheduleInWords(group: { schedule: string | null; dependsOn: readonly string[] }): string {
  if (group.schedule === null) {
    return group.dependsOn.length === 0 ? 'by hand only (no schedule)' : `after ${group.dependsOn.join(' and ')}`;
  }
  try {
    const words = cronstrue.toString(group.schedule, { use24HourTimeFormat: true, verbose: false });
    return group.dependsOn.length === 0 ? words : `${words}, once ${group.dependsOn.join(' and ')} finished`;
  } catch {
    return group.schedule;
  }
}

/** Seconds as `1 h 5 min`, `3 min`, `40 s`. */
export function durationWords(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A count with its noun, singular or plural: `plural(1, 'job')` → `1 job`. */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** The browser's timezone, for times that belong to no group (data sources, dead letters). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
