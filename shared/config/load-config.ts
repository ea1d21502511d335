import * as z from '#shared/zod.ts';

/** A function's environment did not match its schema; thrown at cold start, naming each variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with a function's own schema, once, at cold start, into a frozen config.
 * A failure names every bad variable, so a misconfigured deploy fails loudly instead of on the 10,000th job.
 */
export function loadConfig<Schema extends z.ZodMiniType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<Schema>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}

/** A required, non-empty environment string (`""` is a valid string, never a valid name). */
export const requiredString = (): z.ZodMiniString<string> => z.string().check(z.minLength(1));
