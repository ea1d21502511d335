import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

const writeRoutes: readonly (readonly [string, string])[] = [
  ['POST', '/groups'],
  ['PATCH', '/groups/bars'],
  ['POST', '/groups/bars/pause'],
  ['POST', '/groups/bars/resume'],
  ['POST', '/schedules/preview'],
  ['PATCH', '/data-sources/jquants'],
  ['PATCH', '/data-sources/yahoo'],
  ['POST', '/import'],
  ['POST', '/groups/bars/runs'],
  ['POST', '/runs/bars.20261127T000000Z/retry'],
  ['POST', '/dead-letters/redrive'],
  ['POST', '/data-sources/jquants/check'],
];

/** Arbitrary JSON text, sometimes not JSON at all. */
const anyBody = fc.oneof(
  fc.json().map((text) => ({ text, contentType: 'application/json' })),
  fc.string().map((text) => ({ text, contentType: 'application/json' })),
  fc.jsonValue().map((value) => ({ text: JSON.stringify(value), contentType: 'text/plain' })),
);

/** A valid group draft with one field replaced by an arbitrary JSON value. */
const mutatedDraft = fc
  .tuple(
    fc.constantFrom(
      'id',
      'name',
      'dataSource',
      'dataset',
      'schedule',
      'timezone',
      'parametersTemplate',
      'dependsOn',
      'catchUp',
      'maxAttempts',
      'enabled',
      'extra',
    ),
    fc.jsonValue(),
  )
  .map(([field, value]) => ({
    text: JSON.stringify(aGroupDraft({ id: 'fuzzed', [field]: value })),
    contentType: 'application/json',
  }));

describe('admin API under random bodies', () => {
  it('never answers 5xx and changes nothing when it answers 4xx', async () => {
    const harness = anAdminApi();
    await harness.request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const snapshot = async () =>
      JSON.stringify([
        await harness.groupStore.list(),
        await harness.settingsStore.get('jquants'),
        await harness.settingsStore.get('yahoo'),
      ]);

    for (const [method, path] of writeRoutes) {
      await fc.assert(
        fc.asyncProperty(path === '/groups' ? fc.oneof(anyBody, mutatedDraft) : anyBody, async (body) => {
          const before = await snapshot();
          const response = await harness.request(method, path, body.text, { 'content-type': body.contentType });
          expect(response.status, `${method} ${path} ${body.text.slice(0, 200)}`).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.body.error.code).toEqual(expect.any(String));
            expect(await snapshot()).toEqual(before);
          }
        }),
        { numRuns: 400 },
      );
    }
    expect(harness.errors).toEqual([]);
  });
});
