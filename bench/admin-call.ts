import type { Sandbox } from '#infra/local/sandbox.ts';

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
