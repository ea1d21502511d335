import { describe, expect, it } from 'vitest';
import { maxJobGroupItemBytes } from '#shared/domain/job-group-size.ts';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';

/** A valid template listing 80,000 issue codes: about 480 KB once stored, more than DynamoDB keeps in one item. */
function anOversizedTemplate(): Record<string, unknown> {
  const codes = Array.from({ length: 80_000 }, (_, index) => String(10_000 + index));
  return { code: { $each: codes }, date: '{{businessDate}}' };
}

const limit = maxJobGroupItemBytes.toLocaleString('en-US');

function expectSizeRefusal(
  body: { error: { code: string; details: { issues: { path: string; message: string }[] } } },
  path: string,
): void {
  expect(body.error.code).toBe('validation_failed');
  const [issue, ...others] = body.error.details.issues;
  expect(others).toEqual([]);
  expect(issue?.path).toBe(path);
  expect(issue?.message).toMatch(/makes the group 4\d\d,\d{3} bytes once stored/);
  expect(issue?.message).toContain(`limit of ${limit} bytes`);
}

describe('admin API: groups too big to store', () => {
  it('answers 400 on parametersTemplate to a create whose group would exceed the item budget and stores nothing', async () => {
    const { request, groupStore } = anAdminApi();
    const response = await request(
      'POST',
      '/groups',
      aGroupDraft({ id: 'huge', parametersTemplate: anOversizedTemplate() }),
    );
    expect(response.status).toBe(400);
    expectSizeRefusal(response.body, 'parametersTemplate');
    expect((await groupStore.list()).groups).toEqual([]);
  });

  it('answers 400 on parametersTemplate to a patch that would grow the group past the budget and keeps the group', async () => {
    const { request, groupStore } = anAdminApi();
    await request('POST', '/groups', aGroupDraft({ id: 'bars' }));
    const before = await groupStore.get('bars');
    const response = await request(
      'PATCH',
      '/groups/bars',
      { parametersTemplate: anOversizedTemplate() },
      { 'If-Match': '1' },
    );
    expect(response.status).toBe(400);
    expectSizeRefusal(response.body, 'parametersTemplate');
    expect(await groupStore.get('bars')).toEqual(before);
  });

  it('answers 400 to an import holding a group past the budget and restores none of the document', async () => {
    const { request, groupStore } = anAdminApi();
    const response = await request('POST', '/import', {
      format: 'moomoo-markets.backup',
      version: 1,
      groups: [aGroupDraft({ id: 'small' }), aGroupDraft({ id: 'huge', parametersTemplate: anOversizedTemplate() })],
    });
    expect(response.status).toBe(400);
    expectSizeRefusal(response.body, 'groups[1].parametersTemplate');
    expect((await groupStore.list()).groups).toEqual([]);
  });
});
