import { ValidationError } from '#shared/domain/errors.ts';

/** Encodes a DynamoDB `LastEvaluatedKey` as an opaque URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor from `encodeCursor`; a cursor that is not ours is a 400, not a crash. */
export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof key === 'object' && key !== null && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // falls through to the validation error
  }
  throw ValidationError.of('cursor', 'is not a cursor returned by this API');
}
