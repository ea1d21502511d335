import { isRecord, pathOf } from '#cli/api-client.ts';
import { type Group, GroupSchema, readAnswer } from '#cli/api-shapes.ts';
import { emit, type Invocation } from '#cli/context.ts';
import { CliError } from '#cli/errors.ts';
import { printRecord } from '#cli/table.ts';

const listHint = '`moomoo groups list` shows the groups that exist';

/** Reads a group, for its version. */
export async function readGroup(invocation: Invocation, id: string): Promise<Group> {
  const answer = await invocation.api.call({ method: 'GET', path: pathOf('groups', id), notFoundHint: listHint });
  return readAnswer(GroupSchema, answer, 'the group');
}

/** Fields the API keeps itself: a file made from `groups get --json` carries them, so they are not sent back. */
const keptByTheApi = new Set(['createdAt', 'updatedAt', 'health', 'version']);

/**
 * Reads the group, then sends a PATCH of the fields the file changes, with `If-Match` of the version read. Fields the
 * file holds with their current value are left out, so a whole group from `groups get --json`, edited, works too.
 */
export async function editGroup(invocation: Invocation, id: string, file: unknown, fileName: string): Promise<void> {
  if (!isRecord(file)) {
    throw new CliError(
      `${fileName} holds no JSON object`,
      'put the fields to change in an object, e.g. {"schedule": "0 18 * * 1-5"}',
    );
  }
  const current = await readGroup(invocation, id);
  if (typeof file.version === 'number' && file.version !== current.version) {
    throw new CliError(
      `${fileName} is based on version ${file.version} of ${id}, but the group is at version ${current.version}`,
      `someone changed it meanwhile: see \`moomoo groups get ${id}\`, update the file, and run the command again`,
    );
  }
  const patch = changedFields(current, file);
  if (Object.keys(patch).length === 0) {
    invocation.terminal.message(`nothing to change: ${fileName} matches version ${current.version} of ${id}`);
    return;
  }
  const answer = await invocation.api.call({
    method: 'PATCH',
    path: pathOf('groups', id),
    body: patch,
    headers: { 'if-match': String(current.version) },
    notFoundHint: listHint,
  });
  const updated = readAnswer(GroupSchema, answer, 'the updated group');
  invocation.terminal.message(
    `updated job group ${id}: ${Object.keys(patch).join(', ')} (version ${current.version} → ${updated.version})`,
  );
  emit(invocation, answer, () => printRecord(invocation.terminal, answer.body));
}

/** The fields of `file` whose values differ from `current`, without those the API keeps itself. */
export function changedFields(
  current: Readonly<Record<string, unknown>>,
  file: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(file)) {
    if (keptByTheApi.has(field)) continue;
    if (canonicalJson(value) !== canonicalJson(current[field])) patch[field] = value;
  }
  return patch;
}

function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, inner: unknown) =>
      isRecord(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
    ) ?? 'undefined'
  );
}
