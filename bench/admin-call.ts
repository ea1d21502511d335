import type { DemoUpstreamOptions } from '#infra/local/demo-upstream/demo-upstream.ts';
import { type Sandbox, startSandbox } from '#infra/local/sandbox.ts';

/** Calls a sandbox's admin API with its token and reads the JSON answer. */
export function adminCall(sandbox: Pick<Sandbox, 'adminUrl' | 'adminToken'>) {
  return async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${sandbox.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${sandbox.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as Record<string, unknown>;
  };
}

/** Polls a run until it has finished. */
export async function waitForRun(
  call: ReturnType<typeof adminCall>,
  runId: string,
  pollMs = 500,
): Promise<Record<string, unknown>> {
  for (;;) {
    const run = await call('GET', `/runs/${encodeURIComponent(runId)}`);
    if (['succeeded', 'partially_failed', 'failed'].includes(String(run.status))) return run;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * A sandbox with the demo upstream as `demoOptions` says, no demo groups, silent: on a moto of its own, or on the
 * emulator at `awsEndpoint` (which the caller stops).
 */
export function startBenchSandbox(demoOptions: DemoUpstreamOptions, awsEndpoint?: string): Promise<Sandbox> {
  return startSandbox({
    ...(awsEndpoint === undefined ? {} : { awsEndpoint }),
    port: 0,
    autoTick: false,
    demo: true,
    demoOptions,
    seedDemoGroups: false,
    reconcileIntervalMs: 3_600_000,
    print: () => {},
  });
}

/** Sets the J-Quants data source's plan or rate limit through the admin API (at its current version). */
export async function setJquantsSettings(
  call: ReturnType<typeof adminCall>,
  settings: { plan?: string; rateLimit?: { limit: number; per: string } },
): Promise<void> {
  const listed = (await call('GET', '/data-sources')) as { dataSources: { id: string; version: number }[] };
  const version = listed.dataSources.find((source) => source.id === 'jquants')?.version ?? 0;
  await call('PATCH', '/data-sources/jquants', { ...settings, version });
}

/** Creates a daily-bars group of `template` and runs it now; resolves with the finished run and its seconds. */
export async function runDailyBars(
  call: ReturnType<typeof adminCall>,
  id: string,
  template: Record<string, unknown>,
  runNow: Record<string, unknown> = {},
): Promise<{ run: Record<string, unknown>; seconds: number }> {
  await call('POST', '/groups', {
    id,
    name: id,
    dataSource: 'jquants',
    dataset: 'jquants.equities.bars.daily',
    schedule: '0 18 * * 1-5',
    parametersTemplate: template,
  });
  const started = performance.now();
  const run = await call('POST', `/groups/${id}/runs`, runNow);
  const finished = await waitForRun(call, String(run.runId), 200);
  return { run: finished, seconds: (performance.now() - started) / 1000 };
}
