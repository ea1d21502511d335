import { type FieldIssue, ValidationError } from '#shared/domain/errors.ts';
import { maxRestoreWrites } from '#shared/ports/backup-restorer.ts';
import type { Backup } from '#shared/use-cases/backup.ts';

type BackupGroup = Backup['groups'][number];

const utf8 = new TextEncoder();
const bytesOf = (value: unknown): number => utf8.encode(JSON.stringify(value)).byteLength;

/**
 * Splits a backup into the bodies of successive `POST /import` requests, in order. Each is a valid import document
 * whose `JSON.stringify` text takes at most `maxBodyBytes` bytes in UTF-8 (the admin API takes 1 MiB) and holds at
 * most `maxRestoreWrites` groups and settings. The data-source settings go in the first. Groups come dependencies
 * first, so each request's groups depend only on groups of the same or an earlier request, which are stored by then.
 * Throws `ValidationError` on a group id given twice, and on a group that does not fit in a body of its own.
 */
export function chunkBackup(document: Backup, maxBodyBytes: number): Backup[] {
  const chunkOf = (groups: BackupGroup[], dataSources: Backup['dataSources']): Backup => ({
    format: document.format,
    version: document.version,
    ...(document.exportedAt === undefined ? {} : { exportedAt: document.exportedAt }),
    groups,
    dataSources,
  });
  // Refused here because the import can only see the ids of one request: a twin in a later one would replace it.
  const issues = duplicateIdIssues(document.groups);
  if (issues.length > 0) throw new ValidationError(issues);
  const chunks: Backup[] = [];
  let current = chunkOf([], document.dataSources);
  // The chunk's JSON length, kept as groups join it: each adds its own JSON and, after the first, a comma.
  let currentBytes = bytesOf(current);
  if (currentBytes > maxBodyBytes) {
    throw ValidationError.of('dataSources', `take ${currentBytes} bytes as JSON, over the ${maxBodyBytes} of a body`);
  }
  for (const { group, index } of dependenciesFirst(document.groups)) {
    const groupBytes = bytesOf(group);
    const isEmpty = current.groups.length === 0 && current.dataSources.length === 0;
    const fits = (bytes: number, chunk: Backup): boolean =>
      bytes + groupBytes + (chunk.groups.length > 0 ? 1 : 0) <= maxBodyBytes &&
      chunk.groups.length + chunk.dataSources.length < maxRestoreWrites;
    if (!isEmpty && !fits(currentBytes, current)) {
      chunks.push(current);
      current = chunkOf([], []);
      currentBytes = bytesOf(current);
    }
    if (!fits(currentBytes, current)) {
      throw ValidationError.of(
        `groups[${index}]`,
        `takes ${groupBytes} bytes as JSON, more than an import body of ${maxBodyBytes} bytes can hold`,
      );
    }
    currentBytes += groupBytes + (current.groups.length > 0 ? 1 : 0);
    current.groups.push(group);
  }
  chunks.push(current);
  return chunks;
}

/**
 * The groups in document order, except that a group's dependencies within the document come before it. A cycle
 * (which the import refuses anyway) is cut where it closes.
 */
function dependenciesFirst(groups: readonly BackupGroup[]): { group: BackupGroup; index: number }[] {
  const byId = new Map(groups.map((group, index) => [group.id, { group, index }]));
  const ordered: { group: BackupGroup; index: number }[] = [];
  const visited = new Set<string>();
  // Iterative depth-first walk: a chain of 1,000 dependencies must not exhaust the stack.
  for (const root of groups) {
    const stack: { id: string; expanded: boolean }[] = [{ id: root.id, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop();
      const entry = top === undefined ? undefined : byId.get(top.id);
      if (top === undefined || entry === undefined) continue;
      if (top.expanded) {
        ordered.push(entry);
        continue;
      }
      if (visited.has(top.id)) continue;
      visited.add(top.id);
      stack.push({ id: top.id, expanded: true });
      for (const dependency of [...entry.group.dependsOn].reverse()) {
        if (!visited.has(dependency)) stack.push({ id: dependency, expanded: false });
      }
    }
  }
  return ordered;
}

function duplicateIdIssues(groups: readonly BackupGroup[]): FieldIssue[] {
  const first = new Map<string, number>();
  const issues: FieldIssue[] = [];
  for (const [index, group] of groups.entries()) {
    const earlier = first.get(group.id);
    if (earlier === undefined) first.set(group.id, index);
    else issues.push({ path: `groups[${index}].id`, message: `'${group.id}' is also groups[${earlier}]` });
  }
  return issues;
}
