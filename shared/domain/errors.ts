import * as z from '#shared/zod.ts';

/**
 * The error family of moomoo-markets. Every error the admin API can answer with has a stable `code`
 * (its error body's `error.code`) and, for validation, the path of each bad field.
 */

/** One bad field: a dotted path (`parametersTemplate.code.$each[2]`) and what is wrong with it. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Base of every domain error: a stable machine-readable `code` plus a human message. */
export abstract class MoomooError extends Error {
  abstract readonly code: string;
}

/** Input that breaks a rule of the contract; answered as 400 with every bad field. */
export class ValidationError extends MoomooError {
  readonly code = 'validation_failed';
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], options?: ErrorOptions) {
    super(describeIssues(issues), options);
    this.name = 'ValidationError';
    this.issues = issues;
  }

  /** A validation error about one field. */
  static of(path: string, message: string): ValidationError {
    return new ValidationError([{ path, message }]);
  }
}

/** A thing looked up by id does not exist; answered as 404. */
export class NotFoundError extends MoomooError {
  readonly code = 'not_found';
  readonly kind: string;
  readonly id: string;

  constructor(kind: string, id: string, options?: ErrorOptions) {
    super(`${kind} '${id}' does not exist`, options);
    this.name = 'NotFoundError';
    this.kind = kind;
    this.id = id;
  }
}

/** A create collided with an existing id; answered as 409. */
export class AlreadyExistsError extends MoomooError {
  readonly code = 'already_exists';
  readonly kind: string;
  readonly id: string;

  constructor(kind: string, id: string, options?: ErrorOptions) {
    super(`${kind} '${id}' already exists`, options);
    this.name = 'AlreadyExistsError';
    this.kind = kind;
    this.id = id;
  }
}

/** An optimistic-locking write lost: the stored version is not the one the caller read; answered as 409. */
export class VersionConflictError extends MoomooError {
  readonly code = 'version_conflict';
  readonly kind: string;
  readonly id: string;
  readonly expectedVersion: number;

  constructor(kind: string, id: string, expectedVersion: number, options?: ErrorOptions) {
    super(`${kind} '${id}' is no longer at version ${expectedVersion}; read it again and retry`, options);
    this.name = 'VersionConflictError';
    this.kind = kind;
    this.id = id;
    this.expectedVersion = expectedVersion;
  }
}

function describeIssues(issues: readonly FieldIssue[]): string {
  const [first, ...rest] = issues;
  if (first === undefined) return 'invalid input';
  const head = `${first.path}: ${first.message}`;
  return rest.length === 0 ? head : `${head} (and ${rest.length} more)`;
}

/**
 * True for errors that retrying cannot fix: broken input or stored data (our validation errors, and zod's, which
 * carry `issues`). Everything else — network, throttling, 5xx — is worth another try.
 */
export function isPermanentError(error: unknown): boolean {
  return error instanceof ValidationError || error instanceof NotFoundError || isSchemaError(error);
}

/** True for what a zod `parse` throws: data that broke its schema. */
export function isSchemaError(error: unknown): error is z.core.$ZodError {
  return error instanceof z.$ZodError;
}
