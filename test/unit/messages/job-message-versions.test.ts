import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JobMessageSchema } from '#shared/messages/run-job-message.ts';

const directory = new URL('../../fixtures/messages/', import.meta.url);

describe('job message versions', () => {
  it('parses every kept sample of a message that may still be in flight', () => {
    const samples = readdirSync(directory).filter((name) => name.endsWith('.json'));
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const name of samples) {
      const parsed = JobMessageSchema.safeParse(JSON.parse(readFileSync(new URL(name, directory), 'utf8')));
      expect(parsed.success, name).toBe(true);
    }
  });

  it('refuses a message of an unknown version', () => {
    expect(JobMessageSchema.safeParse({ version: 3 }).success).toBe(false);
  });
});
