import { describe, expect, it, vi } from 'vitest';
import type { Job, Run } from '#shared/domain/run.ts';
import type { JobMessage } from '#shared/messages/run-job-message.ts';
import { aGroupDraft, anAdminApi } from '#test/fixtures/admin-api-harness.ts';
import { aRunJobMessage } from '#test/fixtures/builders.ts';

const at = '2026-11-27T00:05:00.000Z';
const forbidden = { code: 'upstream_forbidden', message: 'HTTP 403' };

/** An admin API holding group `bars` and one run of its two jobs (72030 and 130A0, a range each), dispatched. */
async function aRunOfTwoJobs() {
  const harness = anAdminApi();
  const parametersTemplate = { code: { $each: ['72030', '130A0'] }, from: '{{businessDate}}', to: '{{businessDate}}' };
  await harness.request('POST', '/groups', aGroupDraft({ id: 'bars', parametersTemplate }));
  const run = (await harness.request('POST', '/groups/bars/runs')).body as Run;
  harness.queue.drain();
  const path = `/runs/${encodeURIComponent(run.runId)}`;
  const jobIds = (await harness.runLedger.listJobs(run.runId)).items.map((job) => job.jobId);

  /** Fails a job as the worker does: its letter first (unless `letter: false`), then its record. */
  const failJob = async (jobId: string, options: { letter?: boolean } = {}): Promise<void> => {
    const job = await startJob(jobId);
    if (options.letter !== false) {
      const message = aRunJobMessage({ runId: run.runId, groupId: 'bars', jobId, params: job.params });
      await harness.deadLetters.jquants.send({ message, error: forbidden, attemptsMade: 1, failedAt: at });
    }
    await harness.runLedger.updateJobs(run.runId, [
      {
        jobId,
        event: { kind: 'fail', at, holder: 'worker', error: forbidden, deadLettered: options.letter !== false },
      },
    ]);
  };
  /** Runs a job to success as the worker does. */
  const succeedJob = async (jobId: string): Promise<void> => {
    await startJob(jobId);
    await harness.runLedger.updateJobs(run.runId, [
      {
        jobId,
        event: {
          kind: 'succeed',
          at,
          holder: 'worker',
          durationMs: 5,
          rowsWritten: 1,
          rowsKept: 0,
          upstreamRequests: 1,
        },
      },
    ]);
  };
  /** Starts an attempt of a job, held by `worker`. */
  const startJob = async (jobId: string): Promise<Job> => {
    const start = { kind: 'start' as const, at, holder: 'worker', leaseExpiresAt: '2026-11-27T00:10:00.000Z' };
    const [result] = (await harness.runLedger.updateJobs(run.runId, [{ jobId, event: start }])).jobs;
    if (!result?.applied) throw new Error(`job ${jobId} could not start`);
    return result.job;
  };
  return { ...harness, run, path, jobIds, failJob, succeedJob };
}

/**
 * An admin API holding group `bars` and one run of one date of two codes (72030 and 130A0), dispatched: one date
 * job fetches the date for both.
 */
async function aRunOfOneDate() {
  const harness = anAdminApi();
  await harness.request('POST', '/groups', aGroupDraft({ id: 'bars' }));
  const run = (await harness.request('POST', '/groups/bars/runs')).body as Run;
  harness.queue.drain();
  const path = `/runs/${encodeURIComponent(run.runId)}`;
  const dateJob = '@date-2026-11-27';
  const start = { kind: 'start' as const, at, holder: 'worker', leaseExpiresAt: '2026-11-27T00:10:00.000Z' };
  const outcome = (succeeded: number, failed: number) => ({
    kind: 'succeed' as const,
    at,
    holder: 'worker',
    durationMs: 5,
    rowsWritten: 1,
    rowsKept: 0,
    upstreamRequests: 1,
    members: { succeeded, failed },
    ...(failed > 0 ? { error: forbidden } : {}),
  });
  /** Fetches the date as the worker does, one code's row breaking the schema: its letter, its members, its job. */
  const failMember = async (code: string): Promise<void> => {
    await harness.runLedger.updateJobs(run.runId, [{ jobId: dateJob, event: start }]);
    const members = await harness.runLedger.getMembers(run.runId, dateJob);
    await harness.deadLetters.jquants.send({
      message: {
        version: 2,
        runId: run.runId,
        groupId: 'bars',
        dataSource: 'jquants',
        dataset: run.dataset,
        businessDate: run.businessDate,
        date: '2026-11-27',
      },
      error: forbidden,
      attemptsMade: 1,
      failedAt: at,
    });
    await harness.runLedger.saveMembers(
      run.runId,
      dateJob,
      members.map((member) => ({
        ...member,
        outcome:
          member.code === code
            ? { status: 'failed' as const, rowsWritten: 0, rowsKept: 0, error: forbidden }
            : { status: 'succeeded' as const, rowsWritten: 1, rowsKept: 0 },
      })),
    );
    await harness.runLedger.updateJobs(run.runId, [{ jobId: dateJob, event: outcome(1, 1) }]);
  };
  /** Fetches the date again for the members left, all of which succeed. */
  const succeedDate = async (): Promise<void> => {
    await harness.runLedger.updateJobs(run.runId, [{ jobId: dateJob, event: start }]);
    const members = await harness.runLedger.getMembers(run.runId, dateJob);
    await harness.runLedger.saveMembers(
      run.runId,
      dateJob,
      members.map((member) => ({ ...member, outcome: { status: 'succeeded' as const, rowsWritten: 1, rowsKept: 0 } })),
    );
    await harness.runLedger.updateJobs(run.runId, [{ jobId: dateJob, event: outcome(2, 0) }]);
  };
  return { ...harness, run, path, failMember, succeedDate };
}

const jobIdsOf = (messages: readonly JobMessage[]): string[] =>
  messages.flatMap((message) => (message.version === 1 ? [message.jobId] : [])).sort();

describe('admin API: dead letters', () => {
  it('lists the dead letters of every data source with their job, run and error', async () => {
    const { request, run, jobIds, failJob, deadLetters } = await aRunOfTwoJobs();
    for (const jobId of jobIds) await failJob(jobId);
    await deadLetters.yahoo.send({
      message: aRunJobMessage({ dataSource: 'yahoo', dataset: 'yahoo.chart.daily', groupId: 'toyota' }),
      error: { code: 'upstream_unavailable', message: 'HTTP 503' },
      attemptsMade: 5,
      failedAt: '2026-11-27T00:06:00.000Z',
    });
    const response = await request('GET', '/dead-letters');
    expect(response.status).toBe(200);
    expect(response.body.deadLetters).toHaveLength(3);
    expect(response.body.deadLetters[0]).toMatchObject({ dataSource: 'yahoo', groupId: 'toyota', attemptsMade: 5 });
    expect(response.body.deadLetters.find((letter: { jobId: string }) => letter.jobId === jobIds[0])).toEqual({
      id: expect.any(String),
      dataSource: 'jquants',
      unreadable: false,
      movedBy: 'worker',
      jobId: jobIds[0],
      groupId: 'bars',
      runId: run.runId,
      dataset: 'jquants.equities.bars.daily',
      businessDate: '2026-11-27',
      error: forbidden,
      attemptsMade: 1,
      failedAt: at,
    });
    expect(deadLetters.jquants.size).toBe(2);
  });

  it('marks unreadable letters and filters by data source, group, run and limit', async () => {
    const { request, run, jobIds, failJob, deadLetters } = await aRunOfTwoJobs();
    await failJob(jobIds[0] ?? '');
    await deadLetters.jquants.sendUnreadable('not json', { code: 'unreadable_message', message: 'no' }, at);
    await deadLetters.jquants.send({
      message: aRunJobMessage({ groupId: 'fins' }),
      error: forbidden,
      attemptsMade: 1,
      failedAt: at,
    });
    const unreadable = (await request('GET', '/dead-letters?dataSource=jquants')).body.deadLetters.filter(
      (letter: { unreadable: boolean }) => letter.unreadable,
    );
    expect(unreadable).toEqual([
      expect.objectContaining({ unreadable: true, jobId: null, runId: null, body: 'not json', failedAt: at }),
    ]);
    expect((await request('GET', '/dead-letters?dataSource=yahoo')).body.deadLetters).toEqual([]);
    expect((await request('GET', '/dead-letters?groupId=bars')).body.deadLetters).toHaveLength(1);
    const byRun = await request('GET', `/dead-letters?runId=${encodeURIComponent(run.runId)}`);
    expect(byRun.body.deadLetters.map((letter: { jobId: string }) => letter.jobId)).toEqual([jobIds[0]]);
    expect((await request('GET', '/dead-letters?limit=2')).body.deadLetters).toHaveLength(2);
  });

  it('answers 400 to an unknown data source, a bad limit or an unknown filter', async () => {
    const { request } = anAdminApi();
    for (const query of ['dataSource=nasdaq', 'limit=0', 'limit=1001', 'limit=ten', 'code=72030', 'groupId=Bad Id']) {
      const response = await request('GET', `/dead-letters?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
  });

  it('redrives a group letters: reopens their jobs, re-queues them, and the run finishes again', async () => {
    const { request, path, jobIds, failJob, succeedJob, queue, deadLetters } = await aRunOfTwoJobs();
    for (const jobId of jobIds) await failJob(jobId);
    expect((await request('GET', path)).body).toMatchObject({ status: 'failed', counters: { failed: 2, dead: 2 } });

    const response = await request('POST', '/dead-letters/redrive', { groupId: 'bars' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ redriven: 2, discarded: 0, skipped: 0, failed: 0, more: false });
    expect(jobIdsOf(queue.drain())).toEqual([...jobIds].sort());
    expect(deadLetters.jquants.size).toBe(0);
    const reopened = await request('GET', path);
    expect(reopened.body).toMatchObject({ status: 'running', counters: { total: 2, failed: 0, dead: 0 } });
    expect(reopened.body.finishedAt).toBeUndefined();
    const jobs = (await request('GET', `${path}/jobs`)).body.jobs;
    expect(jobs).toEqual([
      expect.objectContaining({ status: 'queued', attemptsMade: 0, deadLettered: false, lastError: forbidden }),
      expect.objectContaining({ status: 'queued', attemptsMade: 0, deadLettered: false, lastError: forbidden }),
    ]);

    for (const jobId of jobIds) await succeedJob(jobId);
    expect((await request('GET', path)).body).toMatchObject({ status: 'succeeded', counters: { succeeded: 2 } });
  });

  it('removes unsent a letter whose job has succeeded since, and redrives one letter per job', async () => {
    const { request, jobIds, failJob, succeedJob, queue, deadLetters, runLedger, run } = await aRunOfTwoJobs();
    const [first = '', second = ''] = jobIds;
    await failJob(first);
    await runLedger.updateRun(run.runId, { kind: 'reopen', at });
    await runLedger.updateJobs(run.runId, [{ jobId: first, event: { kind: 'reopen', at } }]);
    await succeedJob(first);
    await failJob(second);
    const duplicate = deadLetters.jquants.letters.at(-1);
    if (duplicate === undefined) throw new Error('no letter');
    await deadLetters.jquants.send(duplicate);
    const response = await request('POST', '/dead-letters/redrive', {});
    expect(response.body).toMatchObject({ redriven: 1, discarded: 2, skipped: 0 });
    expect(jobIdsOf(queue.drain())).toEqual([second]);
    expect(deadLetters.jquants.size).toBe(0);
  });

  it('keeps unreadable letters and letters of runs the ledger does not know', async () => {
    const { request, deadLetters, queue } = anAdminApi();
    await deadLetters.jquants.sendUnreadable('not json', { code: 'unreadable_message', message: 'no' }, at);
    await deadLetters.jquants.send({
      message: aRunJobMessage({ runId: 'gone' }),
      error: forbidden,
      attemptsMade: 1,
      failedAt: at,
    });
    const response = await request('POST', '/dead-letters/redrive', { dataSource: 'jquants' });
    expect(response.body).toMatchObject({ redriven: 0, skipped: 2 });
    expect(queue.messages).toEqual([]);
    expect(deadLetters.jquants.size).toBe(2);
  });

  it('fails a job again and keeps its letter when its message cannot be sent', async () => {
    const { request, path, jobIds, failJob, queue, deadLetters } = await aRunOfTwoJobs();
    for (const jobId of jobIds) await failJob(jobId);
    vi.spyOn(queue, 'send').mockImplementation(async (messages) => ({
      sent: 0,
      failed: messages.map((message) => ({ message, error: 'queue unavailable' })),
    }));
    const response = await request('POST', '/dead-letters/redrive', { groupId: 'bars' });
    expect(response.body).toMatchObject({ redriven: 0, failed: 2 });
    expect(deadLetters.jquants.size).toBe(2);
    expect((await request('GET', path)).body).toMatchObject({ status: 'failed', counters: { failed: 2, dead: 2 } });
  });

  it('answers 404 to a redrive of an unknown run and 400 to bad filters', async () => {
    const { request, run } = await aRunOfTwoJobs();
    expect((await request('POST', '/dead-letters/redrive', { runId: 'nope' })).status).toBe(404);
    const otherSource = await request('POST', '/dead-letters/redrive', { runId: run.runId, dataSource: 'yahoo' });
    expect(otherSource.status).toBe(400);
    expect(otherSource.body.error.details.issues).toEqual([{ path: 'dataSource', message: expect.any(String) }]);
    for (const body of [{ dataSource: 'nasdaq' }, { limit: 0 }, { groupId: '' }, { everything: true }, []]) {
      expect((await request('POST', '/dead-letters/redrive', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await request('POST', '/dead-letters/redrive')).status).toBe(400);
  });
});

describe('admin API: POST /runs/{runId}/retry', () => {
  it('re-queues the failed jobs, taking their letters out of the dead-letter queue', async () => {
    const { request, path, jobIds, failJob, succeedJob, queue, deadLetters } = await aRunOfTwoJobs();
    await succeedJob(jobIds[0] ?? '');
    await failJob(jobIds[1] ?? '');
    expect((await request('GET', path)).body.status).toBe('partially_failed');
    const response = await request('POST', `${path}/retry`);
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe(path);
    expect(response.body).toMatchObject({
      retried: 1,
      failed: 0,
      more: false,
      deadLetters: { redriven: 1 },
      run: { status: 'running', counters: { succeeded: 1, failed: 0, dead: 0 } },
    });
    expect(jobIdsOf(queue.drain())).toEqual([jobIds[1]]);
    expect(deadLetters.jquants.size).toBe(0);
    await succeedJob(jobIds[1] ?? '');
    expect((await request('GET', path)).body.status).toBe('succeeded');
  });

  it('re-sends failed jobs without letters from the run ledger', async () => {
    const { request, path, jobIds, failJob, queue } = await aRunOfTwoJobs();
    for (const jobId of jobIds) await failJob(jobId, { letter: false });
    const response = await request('POST', `${path}/retry`, {});
    expect(response.body).toMatchObject({ retried: 2, deadLetters: { redriven: 0 }, run: { status: 'running' } });
    expect(jobIdsOf(queue.drain())).toEqual([...jobIds].sort());
    expect((await request('GET', `${path}/jobs?status=queued`)).body.jobs).toHaveLength(2);
  });

  it('retries only the failed codes of a date fetched once, with one date-wide message', async () => {
    const { request, path, failMember, succeedDate, queue, deadLetters } = await aRunOfOneDate();
    await failMember('130A0');
    expect((await request('GET', path)).body).toMatchObject({
      status: 'partially_failed',
      counters: { total: 2, succeeded: 1, failed: 1, dead: 1 },
    });
    expect((await request('GET', `${path}/jobs?status=failed`)).body.jobs).toEqual([
      expect.objectContaining({ params: { code: '130A0', date: '2026-11-27' }, lastError: forbidden }),
    ]);
    const response = await request('POST', `${path}/retry`);
    expect(response.body).toMatchObject({ retried: 1, deadLetters: { redriven: 1 }, run: { status: 'running' } });
    expect(queue.drain()).toEqual([expect.objectContaining({ version: 2, date: '2026-11-27', groupId: 'bars' })]);
    expect(deadLetters.jquants.size).toBe(0);
    expect((await request('GET', `${path}/jobs?status=queued`)).body.jobs).toEqual([
      expect.objectContaining({ params: { code: '130A0', date: '2026-11-27' } }),
    ]);
    await succeedDate();
    expect((await request('GET', path)).body).toMatchObject({
      status: 'succeeded',
      counters: { total: 2, succeeded: 2, failed: 0 },
    });
  });

  it('fails the jobs again when their messages cannot be sent', async () => {
    const { request, path, jobIds, failJob, queue } = await aRunOfTwoJobs();
    for (const jobId of jobIds) await failJob(jobId, { letter: false });
    vi.spyOn(queue, 'send').mockImplementation(async (messages) => ({
      sent: 0,
      failed: messages.map((message) => ({ message, error: 'queue unavailable' })),
    }));
    const response = await request('POST', `${path}/retry`);
    expect(response.body).toMatchObject({ retried: 0, failed: 2, run: { status: 'failed' } });
    expect((await request('GET', `${path}/jobs?status=failed`)).body.jobs).toEqual([
      expect.objectContaining({ lastError: forbidden, deadLettered: false }),
      expect.objectContaining({ lastError: forbidden, deadLettered: false }),
    ]);
  });

  it('retries nothing of a run without failed jobs', async () => {
    const { request, path, jobIds, succeedJob, queue } = await aRunOfTwoJobs();
    for (const jobId of jobIds) await succeedJob(jobId);
    const response = await request('POST', `${path}/retry`);
    expect(response.body).toMatchObject({ retried: 0, failed: 0, run: { status: 'succeeded' } });
    expect(queue.messages).toEqual([]);
  });

  it('answers 404 to an unknown run and 400 to a bad body', async () => {
    const { request, path } = await aRunOfTwoJobs();
    expect((await request('POST', '/runs/nope/retry')).status).toBe(404);
    expect((await request('POST', `${path}/retry`, { limit: 0 })).status).toBe(400);
    expect((await request('POST', `${path}/retry`, { jobs: ['a'] })).status).toBe(400);
  });
});
