import type { TargetedEvent } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, api, type FieldIssue, segment } from '../api.ts';
import { ErrorMessage, Field, issuesByField, Loaded, useAction } from '../components.tsx';
import { setFlash } from '../flash.ts';
import { instantOf } from '../format.ts';
import { loadGroup } from '../group-views.tsx';
import { useResource } from '../resource.ts';
import { href, navigate } from '../router.ts';
import { type PreviewRequest, SchedulePreview } from '../schedule-preview.tsx';
import type { Dataset, Group } from '../types.ts';

/** The form's fields as typed, all text but `enabled`. */
interface Draft {
  id: string;
  name: string;
  description: string;
  dataSource: string;
  dataset: string;
  schedule: string;
  timezone: string;
  calendar: '' | 'jpx' | 'none';
  dependsOn: string;
  expectBy: string;
  parametersTemplate: string;
  maxAttempts: string;
  runDeadline: string;
  enabled: boolean;
}

const fieldNames = [
  'id',
  'name',
  'description',
  'dataSource',
  'dataset',
  'schedule',
  'timezone',
  'calendar',
  'dependsOn',
  'expectBy',
  'parametersTemplate',
  'maxAttempts',
  'runDeadline',
  'enabled',
] as const;

const emptyDraft: Draft = {
  id: '',
  name: '',
  description: '',
  dataSource: 'jquants',
  dataset: 'jquants.equities.bars.daily',
  schedule: '30 17 * * 1-5',
  timezone: 'Asia/Tokyo',
  calendar: '',
  dependsOn: '',
  expectBy: '',
  parametersTemplate: '{\n  "date": "{{businessDate}}"\n}',
  maxAttempts: '5',
  runDeadline: '',
  enabled: true,
};

function draftOf(group: Group): Draft {
  return {
    id: group.id,
    name: group.name,
    description: group.description ?? '',
    dataSource: group.dataSource,
    dataset: group.dataset,
    schedule: group.schedule ?? '',
    timezone: group.timezone,
    calendar: group.calendar ?? '',
    dependsOn: group.dependsOn.join(', '),
    expectBy: group.expectBy ?? '',
    parametersTemplate: JSON.stringify(group.parametersTemplate, null, 2),
    maxAttempts: String(group.maxAttempts ?? 5),
    runDeadline: group.runDeadline ?? '',
    enabled: group.enabled,
  };
}

/** The draft as the API's fields; a template that is not JSON is reported as the API would, next to its field. */
function bodyOf(draft: Draft): Record<string, unknown> {
  let template: unknown;
  try {
    template = JSON.parse(draft.parametersTemplate.trim() === '' ? '{}' : draft.parametersTemplate);
  } catch (error) {
    throw new ApiError(400, 'validation_failed', 'the parameters template is not valid JSON', [
      { path: 'parametersTemplate', message: `not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const maxAttempts = Number(draft.maxAttempts);
  return {
    ...(draft.id.trim() === '' ? {} : { id: draft.id.trim() }),
    name: draft.name,
    description: draft.description,
    dataSource: draft.dataSource,
    dataset: draft.dataset,
    schedule: draft.schedule.trim() === '' ? null : draft.schedule.trim(),
    timezone: draft.timezone.trim(),
    calendar: draft.calendar === '' ? null : draft.calendar,
    dependsOn: draft.dependsOn
      .split(/[\s,]+/)
      .map((id) => id.trim())
      .filter((id) => id !== ''),
    expectBy: draft.expectBy.trim() === '' ? null : draft.expectBy.trim(),
    parametersTemplate: template,
    maxAttempts: draft.maxAttempts.trim() === '' || Number.isNaN(maxAttempts) ? draft.maxAttempts : maxAttempts,
    runDeadline: draft.runDeadline.trim() === '' ? null : draft.runDeadline.trim(),
    enabled: draft.enabled,
  };
}

/** A new group: nulls mean "not set", which a create leaves out. */
function createBody(draft: Draft): Record<string, unknown> {
  return Object.fromEntries(Object.entries(bodyOf(draft)).filter(([, value]) => value !== null));
}

/** The fields that differ from the group as loaded. */
function patchBody(draft: Draft, group: Group): Record<string, unknown> {
  const now = bodyOf(draft);
  const before = bodyOf(draftOf(group));
  delete now.id;
  return Object.fromEntries(
    Object.entries(now).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(before[name])),
  );
}

/** `#/groups/new`: create a group. */
export function NewGroupPage() {
  return (
    <>
      <h1>New job group</h1>
      <GroupForm />
    </>
  );
}

/** `#/groups/{id}/edit`: edit a group; only the fields changed are sent, with the version read. */
export function EditGroupPage({ groupId }: { groupId: string }) {
  const group = useResource(`group:${groupId}`, () => loadGroup(groupId));
  return (
    <>
      <h1>Edit {groupId}</h1>
      <Loaded data={group.data} error={group.error} what="the group">
        {(data) => <GroupForm group={data} />}
      </Loaded>
    </>
  );
}

function GroupForm({ group }: { group?: Group }) {
  const [draft, setDraft] = useState<Draft>(() => (group === undefined ? emptyDraft : draftOf(group)));
  const [preview, setPreview] = useState<PreviewRequest | undefined>(undefined);
  const [previewFrom, setPreviewFrom] = useState('');
  const save = useAction();
  const datasets = useResource('datasets', () => api<{ datasets: Dataset[] }>('GET', '/datasets'));
  // Field errors come from the API's 400 (or the template's JSON): shown next to their fields, the rest above.
  const outcome = save.outcome;
  const issues: readonly FieldIssue[] = outcome !== undefined && !outcome.ok ? outcome.error.issues : [];
  const { byField, others } = issuesByField(issues, fieldNames);
  const set =
    <K extends keyof Draft>(name: K) =>
    (value: Draft[K]) =>
      setDraft((previous) => ({ ...previous, [name]: value }));
  const text = (name: keyof Draft) => ({
    value: draft[name] as string,
    onInput: (event: TargetedEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      set(name)(event.currentTarget.value as never),
  });
  const submit = async (event: Event) => {
    event.preventDefault();
    const result = await save.run(
      async () => {
        if (group === undefined) return api<Group>('POST', '/groups', createBody(draft));
        const patch = patchBody(draft, group);
        if (Object.keys(patch).length === 0) return group;
        return api<Group>('PATCH', `/groups/${segment(group.id)}`, patch, { 'if-match': String(group.version) });
      },
      (saved) => (group === undefined ? `Created ${saved.id}` : `Saved ${saved.id} (version ${saved.version})`),
    );
    if (result !== undefined) {
      setFlash(group === undefined ? `Created group ${result.id}` : `Saved group ${result.id}`);
      navigate(href(['groups', result.id]));
    }
  };
  const sourceDatasets = (datasets.data?.datasets ?? []).filter((dataset) => dataset.dataSource === draft.dataSource);
  return (
    <form class="group-form" onSubmit={submit} noValidate aria-label={group === undefined ? 'New group' : 'Edit group'}>
      {outcome !== undefined && !outcome.ok ? (
        <ErrorMessage
          error={new ApiError(outcome.error.status, outcome.error.code, outcome.error.message, others)}
          context={group === undefined ? 'Not created' : 'Not saved'}
        />
      ) : null}
      <fieldset>
        <legend>What to fetch</legend>
        <Field id="group-name" label="Name" errors={byField.name}>
          {(attributes) => <input {...attributes} {...text('name')} required autoComplete="off" />}
        </Field>
        {group === undefined ? (
          <Field
            id="group-id"
            label="ID (optional)"
            hint="Letters, digits and dashes; the name's slug when empty."
            errors={byField.id}
          >
            {(attributes) => <input {...attributes} {...text('id')} autoComplete="off" />}
          </Field>
        ) : null}
        <Field id="group-description" label="Description" errors={byField.description}>
          {(attributes) => <textarea {...attributes} {...text('description')} rows={2} />}
        </Field>
        <Field id="group-data-source" label="Data source" errors={byField.dataSource}>
          {(attributes) => (
            <select
              {...attributes}
              value={draft.dataSource}
              onChange={(event) => {
                const dataSource = event.currentTarget.value;
                const first = (datasets.data?.datasets ?? []).find((dataset) => dataset.dataSource === dataSource);
                setDraft((previous) => ({ ...previous, dataSource, dataset: first?.id ?? previous.dataset }));
              }}
            >
              <option value="jquants">J-Quants</option>
              <option value="yahoo">Yahoo Finance</option>
            </select>
          )}
        </Field>
        <Field id="group-dataset" label="Dataset" errors={byField.dataset}>
          {(attributes) => (
            <select
              {...attributes}
              value={draft.dataset}
              onChange={(event) => set('dataset')(event.currentTarget.value)}
            >
              {sourceDatasets.some((dataset) => dataset.id === draft.dataset) ? null : (
                <option value={draft.dataset}>{draft.dataset}</option>
              )}
              {sourceDatasets.map((dataset) => (
                <option key={dataset.id} value={dataset.id}>
                  {dataset.id} — {dataset.description}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="group-template"
          label="Parameters template (JSON)"
          hint={
            <>
              Plain values go to every job; <code>{'{"$each": [...]}'}</code> fans out; strings may hold{' '}
              <code>{'{{businessDate}}'}</code>, <code>{'{{businessDate-7d}}'}</code>,{' '}
              <code>{'{{previousBusinessDay}}'}</code>.
            </>
          }
          errors={byField.parametersTemplate}
        >
          {(attributes) => (
            <textarea {...attributes} {...text('parametersTemplate')} rows={6} class="mono" spellcheck={false} />
          )}
        </Field>
      </fieldset>
      <fieldset>
        <legend>When</legend>
        <Field
          id="group-schedule"
          label="Schedule (cron)"
          hint="Five fields in the group's timezone, e.g. 30 17 * * 1-5. Empty: no schedule (runs after its dependencies, or by hand)."
          errors={byField.schedule}
        >
          {(attributes) => <input {...attributes} {...text('schedule')} class="mono" autoComplete="off" />}
        </Field>
        <Field id="group-timezone" label="Timezone" hint="IANA name, e.g. Asia/Tokyo." errors={byField.timezone}>
          {(attributes) => <input {...attributes} {...text('timezone')} autoComplete="off" />}
        </Field>
        <Field id="group-calendar" label="Market calendar" errors={byField.calendar}>
          {(attributes) => (
            <select
              {...attributes}
              value={draft.calendar}
              onChange={(event) => set('calendar')(event.currentTarget.value as Draft['calendar'])}
            >
              <option value="">default (JPX for J-Quants, none otherwise)</option>
              <option value="jpx">JPX: skip market holidays</option>
              <option value="none">none: fire every time</option>
            </select>
          )}
        </Field>
        <div class="inline-form">
          <Field
            id="preview-from"
            label="Preview from (optional)"
            hint="A date to preview from, e.g. before a holiday."
          >
            {(attributes) => (
              <input
                {...attributes}
                type="date"
                value={previewFrom}
                onInput={(event) => setPreviewFrom(event.currentTarget.value)}
              />
            )}
          </Field>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              let after: string | undefined;
              try {
                after = previewFrom === '' ? undefined : instantOf(`${previewFrom}T00:00`, draft.timezone);
              } catch {
                after = undefined;
              }
              setPreview({
                schedule: draft.schedule,
                timezone: draft.timezone,
                count: 10,
                calendar: draft.calendar === '' ? (draft.dataSource === 'jquants' ? 'jpx' : 'none') : draft.calendar,
                ...(after === undefined ? {} : { after }),
              });
            }}
          >
            Preview schedule
          </button>
        </div>
        {preview === undefined ? null : (
          <section aria-label="Schedule preview" class="preview">
            <SchedulePreview request={preview} />
          </section>
        )}
        <Field
          id="group-depends-on"
          label="Depends on (group IDs)"
          hint="Comma-separated; the group runs once they have finished for the business date."
          errors={byField.dependsOn}
        >
          {(attributes) => <input {...attributes} {...text('dependsOn')} autoComplete="off" />}
        </Field>
        <Field
          id="group-expect-by"
          label="Expect by (HH:MM, optional)"
          hint="Past this, the group is late."
          errors={byField.expectBy}
        >
          {(attributes) => <input {...attributes} {...text('expectBy')} autoComplete="off" />}
        </Field>
      </fieldset>
      <fieldset>
        <legend>How</legend>
        <Field id="group-max-attempts" label="Attempts per job" errors={byField.maxAttempts}>
          {(attributes) => <input {...attributes} {...text('maxAttempts')} inputMode="numeric" />}
        </Field>
        <Field
          id="group-run-deadline"
          label="Run deadline (ISO 8601 duration, optional)"
          hint="e.g. PT2H; empty: the default."
          errors={byField.runDeadline}
        >
          {(attributes) => <input {...attributes} {...text('runDeadline')} autoComplete="off" />}
        </Field>
        <div class="field checkbox">
          <input
            id="group-enabled"
            type="checkbox"
            checked={draft.enabled}
            onChange={(event) => set('enabled')(event.currentTarget.checked)}
          />
          <label for="group-enabled">Enabled</label>
        </div>
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : group === undefined ? 'Create group' : 'Save changes'}
        </button>
        <a href={group === undefined ? href([]) : href(['groups', group.id])}>Cancel</a>
      </div>
    </form>
  );
}
