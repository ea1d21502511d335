import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, seen, type TestBrowser } from '#test/fixtures/browser.ts';
import { moomooBin } from '#test/fixtures/cli-harness.ts';
import { type StartedSandbox, startSandboxProcess } from '#test/fixtures/processes.ts';

/**
 * The console as a deployment serves it: the sandbox in ADMIN_AUTH=iam mode checks SigV4 on every request, as an
 * IAM Function URL does, and `moomoo console --url` serves the page on 127.0.0.1, signing each call with the AWS
 * credentials of its environment. The browser holds no AWS credentials at all.
 */
let sandbox: StartedSandbox;
let browser: TestBrowser;
let adminUrl: string;
let proxy: ChildProcessByStdio<null, Readable, Readable>;
let proxyOutput = '';
let loginUrl: string;
let proxyUrl: string;

const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'ap-northeast-1' };

beforeAll(async () => {
  sandbox = startSandboxProcess({ PORT: '0', ADMIN_AUTH: 'iam', ADMIN_TOKEN: undefined, ...credentials });
  adminUrl = await sandbox.adminUrl();
  proxy = spawn(process.execPath, ['cli/moomoo.mjs', 'console', '--url', adminUrl], {
    env: { ...process.env, ...credentials, MOOMOO_TOKEN: '', MOOMOO_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proxy.stdout.on('data', (chunk: Buffer) => {
    proxyOutput += chunk.toString();
  });
  proxy.stderr.on('data', (chunk: Buffer) => {
    proxyOutput += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && proxy.exitCode === null) {
    loginUrl = /^Console: (\S+)$/m.exec(proxyOutput)?.[1] ?? '';
    if (loginUrl !== '') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (loginUrl === '') throw new Error(`moomoo console printed no login URL:\n${proxyOutput}`);
  proxyUrl = new URL(loginUrl).origin;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (proxy !== undefined && proxy.exitCode === null) {
    const exited = new Promise((resolve) => proxy.once('exit', resolve));
    proxy.kill('SIGINT');
    await exited;
  }
  sandbox?.child.kill('SIGINT');
  await sandbox?.exited;
});

beforeEach(({ onTestFailed }) => onTestFailed(() => console.log(`${sandbox.output()}\n${proxyOutput}`)));

describe('moomoo console against an admin API with IAM auth', () => {
  it('prints how to open the console, and the admin API refuses unsigned requests, the page included', async () => {
    expect(sandbox.output()).toMatch(/^Console: npx moomoo console --url http:\/\/127\.0\.0\.1:\d+ /m);
    expect((await fetch(`${adminUrl}/`)).status).toBe(401);
    expect((await fetch(`${adminUrl}/groups`)).status).toBe(401);
    expect(proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(loginUrl).toMatch(/#token=[A-Za-z0-9_-]{20,}$/);
  });

  it('serves the console from the one-time login URL and signs its calls, writes included', async () => {
    const page = await browser.newPage();
    await page.goto(loginUrl);
    const main = page.getByRole('main');
    await seen(main.getByRole('heading', { name: 'Job groups' }));
    const row = main.getByRole('row').filter({ hasText: 'Trading calendar' });
    await seen(row.getByText('At 17:00, Monday through Friday'));
    await row.getByRole('link', { name: 'Trading calendar', exact: true }).click();
    await main.getByRole('button', { name: 'Run now' }).click();
    await main.getByRole('link', { name: /^Follow run / }).click();
    await seen(main.locator('.run-status').getByText('succeeded', { exact: true }), 60_000);
    await browser.screenshot(page, 'iam-run');
    await page.close();
  });

  it('lets no one else drive the signing proxy: the login URL works once, and calls need the session', async () => {
    const other = await launchBrowser();
    try {
      const page = await other.newPage();
      await page.goto(loginUrl);
      await seen(page.getByRole('main').getByRole('heading', { name: 'Sign in' }));
      await seen(page.getByRole('alert').filter({ hasText: 'not valid' }));
    } finally {
      await other.close();
    }
    expect((await fetch(`${proxyUrl}/groups`)).status).toBe(401);
    expect((await fetch(`${proxyUrl}/groups`, { headers: { 'x-moomoo-console': '1' } })).status).toBe(401);
    const [cookie] = await browser.context.cookies(proxyUrl);
    expect(cookie).toMatchObject({
      name: `moomoo_console_${new URL(proxyUrl).port}`,
      httpOnly: true,
      sameSite: 'Strict',
    });
    const session = `${cookie?.name}=${cookie?.value}`;
    expect((await fetch(`${proxyUrl}/groups`, { headers: { cookie: session } })).status).toBe(401);
    expect((await fetch(`${proxyUrl}/groups`, { headers: { cookie: session, 'x-moomoo-console': '1' } })).status).toBe(
      200,
    );
    // The page holds no data: anyone may load it through the proxy.
    expect((await fetch(`${proxyUrl}/`)).status).toBe(200);
  });

  it('refuses to start with credentials the admin API does not accept, saying why', async () => {
    const outcome = await moomooBin(['console', '--url', adminUrl], {
      ...credentials,
      AWS_SECRET_ACCESS_KEY: 'wrong',
      MOOMOO_TOKEN: '',
    });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toMatch(/403/);
    expect(outcome.stdout).not.toMatch(/Console:/);
  });
});
