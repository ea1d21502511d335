import { createDemoMarket } from '#infra/local/demo-upstream/demo-market.ts';
import { startMotoServer } from '#infra/local/moto-server.ts';
import { type StartedSandbox, startSandboxProcess } from '#test/fixtures/processes.ts';

/**
 * Recovery after a crash, with the deployed timeouts (25 s workers, 150 s queue visibility): the whole sandbox is
 * killed (`kill -9`) while jobs are running, and started again on the same emulator. For each job that was running
 * at the kill, the time until another attempt took it over; target: at most 3 minutes.
 */
export async function benchCrashRecovery(): Promise<Record<string, number | string>> {
  const moto = await startMotoServer();
  const token = 'bench-token';
  const env = { AWS_ENDPOINT_URL: moto.endpoint, PORT: '0', ADMIN_TOKEN: token, JQUANTS_API_KEY: undefined };
  const processes: StartedSandbox[] = [];
  const codes = createDemoMarket(300)
    .issues.slice(0, 100)
    .map((issue) => issue.code);
  try {
    const first = startSandboxProcess(env);
    processes.push(first);
    const call = caller(await first.adminUrl(), token);
    const settings = (await call('GET', '/data-sources')) as { dataSources: { id: string; version: number }[] };
    const version = settings.dataSources.find((source) => source.id === 'jquants')?.version ?? 0;
    // Standard pacing (a slot every 0.5 s) keeps a worker's whole batch running, most of it waiting for slots.
    await call('PATCH', '/data-sources/jquants', { plan: 'standard', version });
    await call('POST', '/groups', {
      id: 'ranges',
      name: 'Ranges',
      dataSource: 'jquants',
      dataset: 'jquants.equities.bars.daily',
      schedule: '0 18 * * 1-5',
      parametersTemplate: { code: { $each: codes }, from: '2026-11-16', to: '2026-11-20' },
    });
    const runId = String((await call('POST', '/groups/ranges/runs', {})).runId);
    const jobsPath = `/runs/${encodeURIComponent(runId)}/jobs?status=running&limit=100`;
    let running: { jobId: string; attemptsMade: number }[] = [];
    while (running.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      running = ((await call('GET', jobsPath)) as { jobs: { jobId: string; attemptsMade: number }[] }).jobs;
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = performance.now();

    const second = startSandboxProcess(env);
    processes.push(second);
    const again = caller(await second.adminUrl(), token);
    const restartedSeconds = (performance.now() - killedAt) / 1000;
    const recovered = new Map<string, number>();
    while (recovered.size < running.length && performance.now() - killedAt < 600_000) {
      const current = (await again('GET', `/runs/${encodeURIComponent(runId)}/jobs?limit=200`)) as {
        jobs: { jobId: string; attemptsMade: number }[];
      };
      for (const job of current.jobs) {
        const before = running.find((entry) => entry.jobId === job.jobId);
        if (before !== undefined && !recovered.has(job.jobId) && job.attemptsMade > before.attemptsMade) {
          recovered.set(job.jobId, (performance.now() - killedAt) / 1000);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const seconds = [...recovered.values()];
    return {
      jobsRunningAtTheKill: running.length,
      jobsRunAgain: recovered.size,
      secondsToRestart: Number(restartedSeconds.toFixed(1)),
      secondsUntilFirstRunAgain: Number(Math.min(...seconds).toFixed(1)),
      secondsUntilLastRunAgain: Number(Math.max(...seconds).toFixed(1)),
    };
  } finally {
    for (const started of processes) {
      if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGINT');
      await started.exited;
    }
    await moto.stop();
  }
}

function caller(adminUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as Record<string, unknown>;
  };
}
