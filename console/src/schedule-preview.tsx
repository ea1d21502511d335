import { api } from './api.ts';
import { ErrorMessage, Loaded } from './components.tsx';
import { timeIn, weekdayIn } from './format.ts';
import { useResource } from './resource.ts';
import type { Preview } from './types.ts';

/** What to preview: a schedule in a timezone, following a calendar. */
export interface PreviewRequest {
  readonly schedule: string;
  readonly timezone: string;
  readonly calendar: 'jpx' | 'none';
  readonly count: number;
  /** Preview from this instant instead of now. */
  readonly after?: string;
}

/** The preview's fire times as a list, holidays marked as skipped. */
export function FireTimes({ preview }: { preview: Preview }) {
  return (
    <>
      <p>
        AWS expression <code>{preview.awsExpression}</code>
        {preview.calendarCovered === false ? (
          <span class="muted">
            {' '}
            — the stored JPX calendar does not cover all of these dates, so some holidays may not show
          </span>
        ) : null}
      </p>
      <ol class="fire-times" aria-label="Next fire times">
        {preview.nextFireTimes.map((fire) => (
          <li key={fire.at} class={fire.skip === undefined ? '' : 'skipped'}>
            {weekdayIn(fire.at, preview.timezone)} {timeIn(fire.at, preview.timezone)}
            {fire.skip === 'market-holiday' ? <strong class="holiday"> — market holiday, skipped</strong> : null}
          </li>
        ))}
      </ol>
    </>
  );
}

/** Loads and shows the preview of a schedule. */
export function SchedulePreview({ request }: { request: PreviewRequest }) {
  const preview = useResource(JSON.stringify(request), () => api<Preview>('POST', '/schedules/preview', request));
  if (preview.error !== undefined) return <ErrorMessage error={preview.error} context="No preview" />;
  return (
    <Loaded data={preview.data} error={undefined} what="the preview">
      {(data) => <FireTimes preview={data} />}
    </Loaded>
  );
}
