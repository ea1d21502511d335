import type { DemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';

/** One J-Quants answer as a test reads it. */
export interface JquantsAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: { data?: Record<string, unknown>[]; pagination_key?: string; message?: string };
}

/** GETs a J-Quants path of the demo with the demo key (or `apiKey`; null sends none), as our client would. */
export async function getJquants(
  upstream: DemoUpstream,
  path: string,
  params: Record<string, string> = {},
  apiKey: string | null = 'demo-key',
): Promise<JquantsAnswer> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${upstream.jquantsBaseUrl}${path}${query === '' ? '' : `?${query}`}`, {
    headers: apiKey === null ? {} : { 'x-api-key': apiKey },
  });
  const text = await response.text();
  let json: JquantsAnswer['json'] = {};
  try {
    json = JSON.parse(text) as JquantsAnswer['json'];
  } catch {
    // A malformed answer is what some tests ask for; they read `text`.
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Every row of a J-Quants query, following `pagination_key`, and the number of pages it took. */
export async function getAllPages(
  upstream: DemoUpstream,
  path: string,
  params: Record<string, string>,
): Promise<{ rows: Record<string, unknown>[]; pages: number }> {
  const rows: Record<string, unknown>[] = [];
  let pages = 0;
  let key: string | undefined;
  do {
    const answer = await getJquants(upstream, path, key === undefined ? params : { ...params, pagination_key: key });
    if (answer.status !== 200) throw new Error(`page ${pages + 1} answered ${answer.status}: ${answer.text}`);
    pages += 1;
    rows.push(...(answer.json.data ?? []));
    key = answer.json.pagination_key;
  } while (key !== undefined && key !== '' && pages < 50);
  return { rows, pages };
}
