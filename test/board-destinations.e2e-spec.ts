import type { Page } from 'playwright-core';
import type { Destination } from '@relayboard/contracts';
import {
  api,
  boardSessionHeaders,
  fixtureUrl,
  inspectPage,
  openBoardPage,
  removeAllDestinations,
  runDataset,
  slackMessages,
  uniqueName,
} from './helpers';
import { testStack } from './stack-env';

/**
 * The Destinations page in Debian's Chromium against the real stack: adding Slack
 * webhooks through the form (shown masked only), sending a test to the Slack stand-in,
 * editing routing, a delivery's status after a run, and deleting with a confirmation.
 */
describe("the board's destinations page", () => {
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const webUrl = () => testStack().webUrl!;
  const slack = () => testStack().slackUrl;
  const dataset = uniqueName('board_dest');
  const token = (label: string) => `${label}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  /** The webhook's secret part: it must never reach the page. */
  const secret = token('zqBoardSecret');
  const servicePath = `/services/TBOARD/BBOARD/${secret}`;
  const failingPath = `/services/no-service/B9/${token('gone')}`;
  const MAIN = 'Board data alerts';
  const GONE = 'Removed webhook';
  const pageErrors: string[] = [];
  // The refused requests below are answers the test asks for; Chromium logs every 4xx fetch.
  const expectedRefusals = /Failed to load resource: the server responded with a status of 400/;

  const inspect = (screenshot: string) => inspectPage(page, screenshot);

  const addForm = () => page.getByRole('form', { name: 'Add a Slack destination' });
  const card = (name: string) => page.getByRole('article', { name });
  const destinationNamed = async (name: string) =>
    (await api<{ destinations: Destination[] }>('GET', '/v1/destinations')).body.destinations.find(
      (d) => d.name === name,
    );

  async function addThroughForm(fields: { name?: string; webhookUrl: string; datasets?: string }): Promise<void> {
    const form = addForm();
    await form.getByLabel('Name').fill(fields.name ?? '');
    await form.getByLabel('Webhook URL').fill(fields.webhookUrl);
    await form.getByLabel('Datasets').fill(fields.datasets ?? '');
    await form.getByRole('button', { name: 'Save destination' }).click();
  }

  beforeAll(async () => {
    // Earlier suites' destinations would fill the empty state; this suite asserts what its own receive.
    await removeAllDestinations();
    const created = await api('POST', '/v1/datasets/csv', { name: dataset, csvUrl: fixtureUrl('people.csv') });
    expect(created.status).toBe(201);
    ({ page, close: closeBrowser } = await openBoardPage(pageErrors, expectedRefusals));
  });

  afterAll(async () => {
    // Routed to this suite's datasets only, but later suites count destinations and posts.
    for (const name of [MAIN, GONE]) {
      const left = await destinationNamed(name);
      if (left) await api('DELETE', `/v1/destinations/${left.id}`);
    }
    await closeBrowser?.();
  });

  it('is in the top navigation and says when there are no destinations', async () => {
    await page.goto(`${webUrl()}/datasets`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Datasets' }).getAttribute('aria-current')).toBe('page');
    await nav.getByRole('link', { name: 'Destinations' }).click();
    await page.waitForURL(`${webUrl()}/destinations`);
    await nav.locator('a[aria-current="page"]', { hasText: 'Destinations' }).waitFor();
    expect(await nav.locator('a[aria-current="page"]').count()).toBe(1);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Destinations');
    await page.getByTestId('destinations-empty').getByText('No destinations yet').waitFor();
    expect(await page.getByRole('list', { name: 'Slack destinations' }).count()).toBe(0);
    await inspect('destinations-empty');
  });

  it("shows the api's refusal of a webhook URL, and of a dataset name, on the field", async () => {
    await addThroughForm({ webhookUrl: 'http://example.com/services/T1/B1/x1y2z3' });
    const url = page.locator('#add-destination-webhook[aria-invalid="true"]');
    await url.waitFor();
    const describedBy = (await url.getAttribute('aria-describedby'))!.split(' ');
    expect(describedBy[0]).toBe('add-destination-webhook-error');
    expect(await page.locator('#add-destination-webhook-error').textContent()).toMatch(
      /^host "example\.com" is not an allowed Slack webhook host \(.*\); use the https:\/\/hooks\.slack\.com\/services\//,
    );
    // The focus is on the refused field, for keyboard and screen reader users.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('add-destination-webhook');
    await inspect('destinations-refused');

    await addThroughForm({ webhookUrl: 'http://example.com/services/T1/B1/x1y2z3', datasets: 'orders, Orders' });
    await page.locator('#add-destination-datasets[aria-invalid="true"]').waitFor();
    expect(await page.locator('#add-destination-datasets-error').textContent()).toMatch(
      /^"Orders": a dataset name must match/,
    );
    // Validation comes first, so the host was not looked at this time.
    expect(await page.locator('#add-destination-webhook').getAttribute('aria-invalid')).toBeNull();
    expect((await api<{ destinations: Destination[] }>('GET', '/v1/destinations')).body.destinations).toEqual([]);
  });

  it('saves a destination through the form and lists it with the webhook URL masked only', async () => {
    await addThroughForm({ name: MAIN, webhookUrl: `${slack()}${servicePath}`, datasets: dataset });
    await addForm()
      .getByRole('status')
      .filter({ hasText: `Saved “${MAIN}”` })
      .waitFor();
    const listed = card(MAIN);
    await listed.waitFor();
    expect(await listed.locator('code').textContent()).toBe(`${slack()}/services/TB…/BB…/••••${secret.slice(-4)}`);
    expect(await listed.textContent()).toContain(dataset);
    expect(await listed.textContent()).toContain('always: every run');
    expect(await listed.textContent()).toContain('No deliveries yet');
    // The form let go of the URL once it was saved.
    expect(await addForm().getByLabel('Webhook URL').inputValue()).toBe('');

    const saved = await destinationNamed(MAIN);
    expect(saved).toMatchObject({
      datasets: [dataset],
      notifyOn: 'always',
      rowChangeThreshold: 0.1,
      suppressHours: null,
    });
    // Neither the page in the browser nor the server-rendered HTML holds the secret part.
    const served = await (await fetch(`${webUrl()}/destinations`, { headers: boardSessionHeaders() })).text();
    expect(served).toContain(saved!.webhookUrlMasked);
    for (const html of [await page.content(), served]) {
      expect(html).not.toContain(secret);
      expect(html).not.toContain(secret.slice(0, -4));
    }
  });

  it('sends a test message that the Slack stand-in receives, and says so', async () => {
    await card(MAIN)
      .getByRole('button', { name: `Send test to ${MAIN}` })
      .click();
    await card(MAIN)
      .getByTestId('destination-notice')
      .filter({ hasText: 'Sent: Slack took the test message (HTTP 200 ok)' })
      .waitFor();
    const received = (await slackMessages()).filter((m) => m.path === servicePath);
    expect(received).toHaveLength(1);
    expect(received[0].body.text).toContain(`Relayboard test message for destination "${MAIN}"`);
  });

  it('shows a webhook Slack answers 404 no_service as a failed test', async () => {
    await addThroughForm({ name: GONE, webhookUrl: `${slack()}${failingPath}`, datasets: uniqueName('never_run') });
    await card(GONE).waitFor();
    await card(GONE)
      .getByRole('button', { name: `Send test to ${GONE}` })
      .click();
    const notice = card(GONE).getByTestId('destination-notice');
    await notice.filter({ hasText: 'Failed:' }).waitFor();
    expect(await notice.textContent()).toMatch(
      /^Failed: Slack refused the test message with HTTP 404 no_service: the webhook was removed/,
    );
    expect(await notice.getAttribute('role')).toBe('status');
  });

  it('edits routing and notify-on, showing a refused value on its field', async () => {
    const gone = card(GONE);
    await gone.getByRole('button', { name: `Edit ${GONE}` }).click();
    const form = page.getByRole('form', { name: `Edit ${GONE}` });
    await form.getByLabel('Row-change threshold').fill('11');
    await form.getByRole('button', { name: 'Save changes' }).click();
    const threshold = form.locator('input[name="rowChangeThreshold"][aria-invalid="true"]');
    await threshold.waitFor();
    const errorId = (await threshold.getAttribute('aria-describedby'))!.split(' ')[0];
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe('must be between 0 and 10 (a share: 0.1 = 10%)');
    // The editor open with its refusal, and the failed test's notice above it.
    await inspect('destinations-editing');

    await form.getByLabel('Row-change threshold').fill('0.25');
    await form.getByLabel('Notify on').selectOption('changes');
    await form.getByLabel('Suppress repeated failures (hours)').fill('6');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await gone.getByTestId('destination-notice').filter({ hasText: 'Changes saved.' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Edit ${GONE}`);
    await gone.getByText('changes: failures and runs whose data changed').waitFor();
    expect(await gone.textContent()).toContain('25%');
    expect(await gone.textContent()).toContain('every 6 hours');
    expect(await destinationNamed(GONE)).toMatchObject({
      notifyOn: 'changes',
      rowChangeThreshold: 0.25,
      suppressHours: 6,
    });
  });

  it("shows the last delivery's status after a run of a routed dataset, linking to the run", async () => {
    const run = await runDataset(dataset);
    expect(run.status).toBe('succeeded');
    await page.reload();
    const delivery = card(MAIN).getByTestId('last-delivery');
    await delivery.waitFor();
    expect(await delivery.textContent()).toMatch(/^✓sentHTTP 200 ok/);
    expect(await delivery.getByRole('link', { name: `Open run ${run.id.slice(0, 8)}` }).getAttribute('href')).toBe(
      `/runs/${run.id}`,
    );
    // The other destination is routed to another dataset: the run records it as skipped there.
    const skipped = card(GONE).getByTestId('last-delivery');
    expect(await skipped.textContent()).toMatch(/^↷skipped/);
    const { body: runBody } = await api('GET', `/v1/runs/${run.id}`);
    const skipReason = runBody.deliveries.find((d: { destinationName: string }) => d.destinationName === GONE)
      .skipReason as string;
    expect(skipReason).toBeTruthy();
    expect(await skipped.textContent()).toContain(skipReason);
    expect(await skipped.getByRole('link').getAttribute('href')).toBe(`/runs/${run.id}`);
    // The test message and the run's digest.
    expect((await slackMessages()).filter((m) => m.path === servicePath)).toHaveLength(2);
    await inspect('destinations-filled');
  });

  it('deletes a destination after a confirmation', async () => {
    await card(GONE)
      .getByRole('button', { name: `Delete ${GONE}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Delete “${GONE}”?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await destinationNamed(GONE)).toBeDefined();

    await card(GONE)
      .getByRole('button', { name: `Delete ${GONE}` })
      .click();
    await dialog.getByRole('button', { name: 'Delete destination' }).click();
    await card(GONE).waitFor({ state: 'detached' });
    expect(await destinationNamed(GONE)).toBeUndefined();
    expect(await card(MAIN).count()).toBe(1);
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
