import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '#infra/local/demo-upstream/demo-upstream.ts';
import { descriptionOf, launchBrowser, seen, type TestBrowser } from '#test/fixtures/browser.ts';
import { type StartedSandbox, startSandboxProcess } from '#test/fixtures/processes.ts';

/**
 * The web console in headless Chromium against `npm start` as a user runs it (a child process on the test's moto),
 * its data sources pointed at a demo upstream this test holds, so it can make jobs fail. Pages are found by role and
 * label, as a person (or a screen reader) finds them. The steps build on each other, in order.
 */
let sandbox: StartedSandbox;
let upstream: DemoUpstream;
let browser: TestBrowser;
let page: Page;
let consoleUrl: string;
let adminUrl: string;
const adminToken = randomBytes(18).toString('base64url');
let codes: string[];
let runId: string;

beforeAll(async () => {
  upstream = await startDemoUpstream({ listedCodeCount: 20, pageSize: 100 });
  codes = upstream.codes.slice(0, 2);
  // With a key set the sandbox seeds no demo groups: the console starts empty and the test owns every run.
  sandbox = startSandboxProcess({
    PORT: '0',
    ADMIN_TOKEN: adminToken,
    ADMIN_AUTH: undefined,
    JQUANTS_API_KEY: 'demo-key',
    JQUANTS_BASE_URL: upstream.jquantsBaseUrl,
    YAHOO_BASE_URL: upstream.yahooBaseUrl,
  });
  adminUrl = await sandbox.adminUrl();
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  sandbox?.child.kill('SIGINT');
  await sandbox?.exited;
  await upstream?.close();
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(async () => {
    console.log(sandbox.output());
    if (page !== undefined) await browser.screenshot(page, 'failure').catch(() => undefined);
  });
});

const main = () => page.getByRole('main');

describe('the web console', () => {
  it('opens logged in from the printed Console: URL, keeping the token out of the address bar', async () => {
    consoleUrl = /^Console: (\S+)$/m.exec(sandbox.output())?.[1] ?? '';
    expect(consoleUrl).toBe(`${adminUrl}/#token=${adminToken}`);

    await page.goto(consoleUrl);
    await seen(main().getByRole('heading', { name: 'Job groups' }));
    await seen(main().getByText('No job groups yet.'));
    expect(page.url()).toBe(`${adminUrl}/#/`);
    const [cookie] = await browser.context.cookies(adminUrl);
    expect(cookie).toMatchObject({
      name: `moomoo_console_${new URL(adminUrl).port}`,
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(cookie?.value).not.toContain(adminToken);
  });

  it('sets the J-Quants plan and checks the credentials on the data sources page', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Data sources' }).click();
    const jquants = main().getByRole('region', { name: 'J-Quants' });
    await seen(jquants.getByText('5 a minute'));
    await jquants.getByLabel('Plan').selectOption('premium');
    await jquants.getByRole('button', { name: 'Save J-Quants settings' }).click();
    await seen(jquants.getByRole('status').filter({ hasText: 'J-Quants: 500 a minute on the premium plan' }));
    await jquants.getByRole('button', { name: 'Check credentials' }).click();
    await seen(jquants.getByRole('status').filter({ hasText: 'J-Quants: the credentials work' }));
    await seen(jquants.getByRole('definition').filter({ hasText: /^ok · checked / }));
  });

  it('creates a group after showing the API’s validation error next to its field, and previews its schedule', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Groups' }).click();
    await main().getByRole('link', { name: 'New group' }).click();
    const form = main().getByRole('form', { name: 'New group' });
    await form.getByLabel('Name').fill('Console bars');
    await form.getByLabel('ID (optional)').fill('console-bars');
    await form.getByLabel('Dataset').selectOption('jquants.equities.bars.daily');
    await form
      .getByLabel('Parameters template (JSON)')
      .fill(JSON.stringify({ code: { $each: codes }, from: '{{businessDate-7d}}', to: '{{businessDate}}' }));
    await form.getByLabel('Schedule (cron)').fill('61 18 * * 1-5');
    await form.getByLabel('Attempts per job').fill('2');
    await form.getByRole('button', { name: 'Create group' }).click();

    const schedule = form.getByLabel('Schedule (cron)');
    await seen(form.getByText('minute: 61 is out of range 0-59'));
    expect(await schedule.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(schedule)).toContain('minute: 61 is out of range 0-59');
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBeNull();

    await schedule.fill('0 18 * * 1-5');
    await form.getByRole('button', { name: 'Preview schedule' }).click();
    const preview = form.getByRole('region', { name: 'Schedule preview' });
    await seen(preview.getByText('cron(0 18 ? * MON-FRI *)'));
    await seen(preview.getByRole('listitem'));
    expect(await preview.getByRole('list', { name: 'Next fire times' }).getByRole('listitem').count()).toBe(10);
    await seen(preview.getByText(/^(Mon|Tue|Wed|Thu|Fri) \d{4}-\d\d-\d\d 18:00 Asia\/Tokyo/));

    await form.getByRole('button', { name: 'Create group' }).click();
    await seen(main().getByRole('heading', { name: 'Console bars', level: 1 }));
    await seen(main().getByRole('status').filter({ hasText: 'Created group console-bars' }));
    expect(page.url()).toBe(`${adminUrl}/#/groups/console-bars`);
    const fireTimes = main().getByRole('list', { name: 'Next fire times' });
    await seen(fireTimes.getByRole('listitem'));
    expect(await fireTimes.getByRole('listitem').count()).toBe(10);
  });

  it('pauses the group with a reason from the keyboard, shows the reason on the overview, and resumes it', async () => {
    await main().getByLabel('Reason').fill('vendor maintenance');
    await main().getByLabel('Until (Asia/Tokyo, optional)').fill('2030-01-01T09:00');
    // Enter in a field submits its form: no mouse needed.
    await main().getByLabel('Reason').press('Enter');
    await seen(main().getByRole('status').filter({ hasText: 'Paused: vendor maintenance' }));
    await seen(main().getByText('until 2030-01-01 09:00 Asia/Tokyo'));

    await page.getByRole('link', { name: 'moomoo' }).click();
    const row = main().getByRole('row').filter({ hasText: 'Console bars' });
    await seen(row.getByText('vendor maintenance'));
    await seen(row.getByText('paused'));
    await seen(main().getByText('1 paused'));

    await row.getByRole('link', { name: 'Console bars', exact: true }).click();
    await main().getByRole('button', { name: 'Resume' }).focus();
    await page.keyboard.press('Enter');
    await seen(main().getByRole('status').filter({ hasText: 'Resumed' }));
    await seen(main().getByLabel('Reason'));
  });

  it('runs the group now and follows the run to succeeded on its page', async () => {
    await main().getByRole('button', { name: 'Run now' }).click();
    await seen(
      main()
        .getByRole('status')
        .filter({ hasText: /^Run console-bars\.\S+ started/ }),
    );
    await main()
      .getByRole('link', { name: /^Follow run / })
      .click();
    await seen(main().getByRole('heading', { name: /^Run console-bars\./ }));
    runId = decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));

    await seen(main().locator('.run-status').getByText('succeeded', { exact: true }), 60_000);
    const progress = main().getByRole('progressbar', { name: 'Jobs finished' });
    expect(await progress.getAttribute('value')).toBe('2');
    await seen(main().getByText('2 of 2 jobs finished'));
    await seen(main().getByRole('definition').filter({ hasText: /^2$/ }));
    await browser.screenshot(page, 'run');
  });

  it('starts a backfill and shows its progress until it has finished', async () => {
    await page.goto(`${adminUrl}/#/groups/console-bars`);
    const form = main().getByRole('form', { name: 'Start a backfill' });
    // Marine Day, Monday 2026-07-20, is a JPX holiday: three business dates.
    await form.getByLabel('From').fill('2026-07-17');
    await form.getByLabel('To').fill('2026-07-22');
    await form.getByRole('button', { name: 'Start backfill' }).click();
    await seen(main().getByRole('status').filter({ hasText: 'started: 2026-07-17 to 2026-07-22' }));
    const backfill = main().getByRole('listitem', { name: 'Backfill 2026-07-17 to 2026-07-22' });
    await seen(backfill.getByRole('progressbar', { name: 'Backfill 2026-07-17 to 2026-07-22: dates finished' }));
    await seen(backfill.getByText('succeeded', { exact: true }), 90_000);
    await seen(backfill.getByText(/^3 of 3 dates finished \(3 done/));
  });

  it('marks market holidays in the schedule preview, once the JPX calendar is stored', async () => {
    // The backfill stored the calendar of its range: Marine Day shows as a fire time that is skipped.
    await main().getByRole('link', { name: 'Edit' }).click();
    const form = main().getByRole('form', { name: 'Edit group' });
    await form.getByLabel('Preview from (optional)').fill('2026-07-17');
    await form.getByRole('button', { name: 'Preview schedule' }).click();
    const fireTimes = form.getByRole('list', { name: 'Next fire times' });
    await seen(
      fireTimes.getByRole('listitem').filter({ hasText: 'Mon 2026-07-20 18:00 Asia/Tokyo — market holiday, skipped' }),
    );
    await seen(fireTimes.getByRole('listitem').filter({ hasText: 'Fri 2026-07-17 18:00 Asia/Tokyo' }));
    expect(await fireTimes.getByText('market holiday').count()).toBe(1);
  });

  it('shows a job failed by the upstream with its error, and redrives its dead letters', async () => {
    upstream.injectFault({ kind: 'forbidden', pathPrefix: '/v2/equities/bars/daily' });
    let failedRunId: string;
    try {
      await page.goto(`${adminUrl}/#/groups/console-bars`);
      await main().getByRole('button', { name: 'Run now' }).click();
      await main()
        .getByRole('link', { name: /^Follow run / })
        .click();
      await seen(main().getByRole('heading', { name: /^Run console-bars\./ }));
      failedRunId = decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
      await seen(main().locator('.run-status').getByText('failed', { exact: true }), 60_000);
    } finally {
      upstream.clearFaults();
    }
    const failedJobs = main().getByRole('table', { name: 'Failed jobs' });
    await seen(failedJobs.getByText('upstream_credentials').first());
    expect(await failedJobs.getByRole('row').count()).toBe(3);

    await main().getByRole('link', { name: 'Dead letters of this run' }).click();
    await seen(main().getByRole('heading', { name: 'Dead letters' }));
    const letters = main().getByRole('table', { name: 'Dead letters' });
    await seen(letters.getByText('upstream_credentials').first());
    await main()
      .getByRole('button', { name: `Redrive 2 letters of run ${failedRunId}` })
      .click();
    await seen(main().getByRole('status').filter({ hasText: 'Redriven 2 letters' }));

    await page.goto(`${adminUrl}/#/runs/${encodeURIComponent(failedRunId)}`);
    await seen(main().locator('.run-status').getByText('succeeded', { exact: true }), 60_000);
  });

  it('opens a run’s deep link cold, and asks to sign in where there is no session', async () => {
    const cold = await browser.newPage();
    await cold.goto(`${adminUrl}/#/runs/${encodeURIComponent(runId)}`);
    await seen(cold.getByRole('main').getByRole('heading', { name: `Run ${runId}` }));
    await seen(cold.getByRole('main').getByText('2 of 2 jobs finished'));
    await cold.close();

    const stranger = await launchBrowser();
    try {
      const strangerPage = await stranger.newPage();
      await strangerPage.goto(`${adminUrl}/#/runs/${encodeURIComponent(runId)}`);
      await seen(strangerPage.getByRole('main').getByRole('heading', { name: 'Sign in' }));
    } finally {
      await stranger.close();
    }
  });

  it('answers 401 to an API request without the token, or with only the cookie or only the header', async () => {
    const [cookie] = await browser.context.cookies(adminUrl);
    const session = `${cookie?.name}=${cookie?.value}`;
    const statusOf = async (headers: Record<string, string>) => (await fetch(`${adminUrl}/groups`, { headers })).status;
    expect(await statusOf({})).toBe(401);
    expect(await statusOf({ cookie: session })).toBe(401);
    expect(await statusOf({ 'x-moomoo-console': '1' })).toBe(401);
    expect(await statusOf({ cookie: session, 'x-moomoo-console': '1' })).toBe(200);
    expect(await statusOf({ authorization: `Bearer ${adminToken}` })).toBe(200);
    // A request the page itself makes without the header carries the cookie, and still gets nothing.
    expect(await page.evaluate(async () => (await fetch('/groups')).status)).toBe(401);
    // The page and its assets hold no data and need no credentials.
    expect((await fetch(`${adminUrl}/`)).status).toBe(200);
    expect((await fetch(`${adminUrl}/console/session`, { method: 'POST' })).status).toBe(401);
  });

  it('shows the overview with the group, its schedule in words, next fire time and last run', async () => {
    await page.goto(`${adminUrl}/#/`);
    const row = main().getByRole('row').filter({ hasText: 'Console bars' });
    await seen(row.getByText('At 18:00, Monday through Friday'));
    await seen(row.getByText(/\d{4}-\d\d-\d\d 18:00 Asia\/Tokyo/));
    await seen(row.getByRole('link', { name: 'Last run of Console bars: succeeded' }));
    await seen(row.getByText('enabled'));
    await seen(main().getByText('1 group · 0 running'));
    // The 403 made the J-Quants credentials fail: the banner says so and links to the remedy.
    const alerts = main().getByRole('region', { name: 'Open alerts' });
    await seen(alerts.getByText(/data source jquants credentials are failing/));
    await seen(alerts.getByRole('link', { name: 'see the data source' }));
    await browser.screenshot(page, 'overview');
  });
});
