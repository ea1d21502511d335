import { describe, expect, it } from 'vitest';
import { jquantsEquitiesBarsDaily } from '#shared/datasets/jquants-equities-bars-daily.ts';
import { isPermanentError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';

describe('isPermanentError', () => {
  it('is true for data that broke its schema, so the job fails at once instead of retrying', () => {
    const thrown = catchError(() => jquantsEquitiesBarsDaily.rowSchema.parse({ code: 7203 }));
    expect(isPermanentError(thrown)).toBe(true);
  });

  it('is true for our validation and not-found errors', () => {
    expect(isPermanentError(ValidationError.of('dataset', 'unknown dataset'))).toBe(true);
    expect(isPermanentError(new NotFoundError('group', 'g'))).toBe(true);
  });

  it('is false for anything else, which is worth another try', () => {
    expect(isPermanentError(new Error('socket hang up'))).toBe(false);
    expect(isPermanentError('boom')).toBe(false);
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
