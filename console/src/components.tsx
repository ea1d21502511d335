import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { ApiError, type FieldIssue } from './api.ts';
import { statusWord, toneOf } from './format.ts';

/** A status word in its colour. */
export function Status({ status, label }: { status: string; label?: string }): JSX.Element {
  return <span class={`status status-${toneOf(status)}`}>{label ?? statusWord(status)}</span>;
}

/** A progress bar with its words: `<progress>` is announced as a progress bar with its value. */
export function Progress({ label, value, max, words }: { label: string; value: number; max: number; words: string }) {
  return (
    <div class="progress">
      <progress aria-label={label} value={value} max={Math.max(max, 1)} />
      <span>{words}</span>
    </div>
  );
}

/** What an action answered: a confirmation, or the API's error with each bad field. */
export type Outcome = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: ApiError };

/** Shows an action's outcome where the action is: a status line, or an alert with the API's message. */
export function OutcomeLine({ outcome }: { outcome: Outcome | undefined }) {
  if (outcome === undefined) return null;
  if (outcome.ok) {
    return (
      <p class="outcome outcome-ok" role="status">
        {outcome.text}
      </p>
    );
  }
  return <ErrorMessage error={outcome.error} />;
}

/** The API's error: its message, then each bad field. */
export function ErrorMessage({ error, context }: { error: ApiError; context?: string }) {
  return (
    <div class="outcome outcome-error" role="alert">
      <p>
        {context === undefined ? '' : `${context}: `}
        {error.message}
        {error.status > 0 ? <span class="code"> ({`${error.status} ${error.code}`})</span> : null}
      </p>
      {error.issues.length > 1 ? (
        <ul>
          {error.issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <code>{issue.path}</code>: {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * Runs an action against the API and keeps its outcome: `confirm` words the success, the API's error shows
 * otherwise. `busy` is true meanwhile, so its button can say so and not be pressed twice.
 */
export function useAction(): {
  busy: boolean;
  outcome: Outcome | undefined;
  run: <T>(action: () => Promise<T>, confirm: (result: T) => string) => Promise<T | undefined>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const run = useCallback(async <T,>(action: () => Promise<T>, confirm: (result: T) => string) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await action();
      setOutcome({ ok: true, text: confirm(result) });
      return result;
    } catch (error) {
      setOutcome({ ok: false, error: error instanceof ApiError ? error : new ApiError(0, 'failed', String(error)) });
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, outcome, run, clear: useCallback(() => setOutcome(undefined), []) };
}

/** The attributes that tie an input to its label, hint and errors. */
export interface FieldAttributes {
  readonly id: string;
  readonly 'aria-describedby'?: string;
  readonly 'aria-invalid'?: 'true';
}

/**
 * A labelled form field: the label names the input, and the hint and the API's errors for this field are its
 * description (`aria-describedby`), so they are read out with it and shown right under it.
 */
export function Field({
  id,
  label,
  hint,
  errors = [],
  children,
}: {
  id: string;
  label: string;
  hint?: ComponentChildren;
  errors?: readonly string[];
  children: (attributes: FieldAttributes) => ComponentChildren;
}) {
  const described = [hint === undefined ? undefined : `${id}-hint`, errors.length > 0 ? `${id}-error` : undefined]
    .filter((part) => part !== undefined)
    .join(' ');
  return (
    <div class={`field${errors.length > 0 ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        ...(described === '' ? {} : { 'aria-describedby': described }),
        ...(errors.length > 0 ? { 'aria-invalid': 'true' as const } : {}),
      })}
      {hint === undefined ? null : (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors.length === 0 ? null : (
        <p class="field-error" id={`${id}-error`}>
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}

/** The API's field issues grouped by the form field they belong to (the first segment of their path). */
export function issuesByField(
  issues: readonly FieldIssue[],
  fields: readonly string[],
): {
  byField: Record<string, string[]>;
  others: FieldIssue[];
} {
  const byField: Record<string, string[]> = {};
  const others: FieldIssue[] = [];
  for (const issue of issues) {
    const field = issue.path.split(/[.[]/)[0] ?? '';
    if (fields.includes(field)) {
      const rest = issue.path.slice(field.length).replace(/^\./, '');
      const messages = byField[field] ?? [];
      messages.push(rest === '' ? issue.message : `${rest}: ${issue.message}`);
      byField[field] = messages;
    } else {
      others.push(issue);
    }
  }
  return { byField, others };
}

/** A page's loading and load-error states around its content. */
export function Loaded<T>({
  data,
  error,
  what,
  children,
}: {
  data: T | undefined;
  error: ApiError | undefined;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  if (data === undefined && error !== undefined)
    return <ErrorMessage error={error} context={`Could not load ${what}`} />;
  if (data === undefined) return <p class="loading">Loading {what}…</p>;
  return (
    <>
      {error === undefined ? null : <ErrorMessage error={error} context={`Could not refresh ${what}`} />}
      {children(data)}
    </>
  );
}
