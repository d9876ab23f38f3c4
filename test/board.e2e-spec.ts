import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Run } from '@relayboard/contracts';
import { api, boardSessionHeaders, fixtureUrl, inspectPage, openBoardPage, uniqueName, waitForRun } from './helpers';
import { testStack } from './stack-env';

/**
 * The board in a real browser (Debian's Chromium): what a person does first, end to
 * end against the real stack. Every page visited is checked with axe-core and saved
 * as screenshots at laptop and phone widths in test-artifacts/screenshots/.
 */
describe('the board in a browser', () => {
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const webUrl = () => testStack().webUrl!;
  const registered = uniqueName('board_people');
  let runId: string;
  // Script errors and React's hydration complaints, from every page.
  const pageErrors: string[] = [];

  const inspect = (name: string) => inspectPage(page, name);

  beforeAll(async () => {
    ({ page, close: closeBrowser } = await openBoardPage(pageErrors));
  });

  afterAll(async () => {
    await closeBrowser?.();
  });

  it('registers a CSV URL through the form and lands on the dataset page', async () => {
    const response = await page.goto(`${webUrl()}/datasets`);
    expect(response?.status()).toBe(200);
    await inspect('datasets');

    const form = page.getByRole('form', { name: 'Register a CSV by URL' });
    await form.getByLabel('Dataset name').fill(registered);
    await form.getByLabel('CSV URL').fill(fixtureUrl('people.csv'));
    await form.getByRole('button', { name: 'Register' }).click();

    await page.waitForURL(`${webUrl()}/datasets/${registered}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(registered);
    await page.getByRole('button', { name: 'Run now' }).waitFor();
    await page.getByRole('button', { name: 'Refresh and run' }).waitFor();
    await inspect('dataset-registered');
  });

  it('runs it with "Run now" and shows the status reach succeeded without a reload', async () => {
    // A full page load would drop this marker; client-side updates keep it.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await page.getByRole('button', { name: 'Run now' }).click();

    const status = page.getByTestId('latest-run-status');
    await status.filter({ hasText: 'succeeded' }).waitFor({ timeout: 180_000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    const link = page.getByRole('link', { name: /^Open run / });
    runId = (await link.getAttribute('href'))!.replace('/runs/', '');
    const run = await waitForRun(runId);
    expect(run.status).toBe('succeeded');

    // The server-rendered sections catch up once the run has finished.
    await page.getByRole('table', { name: 'Inferred schema, in file order' }).getByText('full_name').waitFor();
    await page.getByRole('table', { name: 'Versions, newest first' }).waitFor();
    await inspect('dataset-after-run');
  });

  it('opens the run page with the rows, the steps and the digest preview', async () => {
    await page.getByRole('link', { name: /^Open run / }).click();
    await page.waitForURL(`${webUrl()}/runs/${runId}`);

    const { body: run } = await api<Run>('GET', `/v1/runs/${runId}`);
    const rows = run.steps.find((step) => step.name === 'stage')!.metrics.rows as number;
    expect(rows).toBeGreaterThan(0);

    const steps = page.locator('section[aria-labelledby="steps-title"]');
    for (const name of ['fetch', 'stage', 'transform', 'deliver']) {
      await steps.getByRole('heading', { name: new RegExp(`${name}$`) }).waitFor();
    }
    const stage = steps.locator('li', { has: page.getByRole('heading', { name: /stage$/ }) });
    expect(await stage.textContent()).toContain('succeeded');
    const rowsValue = stage.locator('dt', { hasText: /^Rows$/ }).locator('xpath=following-sibling::dd[1]');
    expect(await rowsValue.textContent()).toBe(rows.toLocaleString('en-US'));
    expect(await page.getByTestId('run-status').textContent()).toContain('succeeded');

    const { body: digest } = await api('GET', `/v1/runs/${runId}/digest`);
    const header = (digest.digest.blocks as { type: string; text?: { text: string } }[]).find(
      (block) => block.type === 'header',
    )!;
    const preview = page.locator('section[aria-labelledby="digest-title"] figure');
    await preview.getByText(header.text!.text, { exact: true }).waitFor();
    // mrkdwn is drawn, not shown raw: *Rows* becomes bold text without the asterisks.
    expect(await preview.locator('strong').count()).toBeGreaterThan(0);
    expect(await preview.textContent()).not.toMatch(/\*Rows\*/);
    await inspect('run');
  });

  it('follows a run on its page while it runs: steps update without a reload', async () => {
    await page.goto(`${webUrl()}/datasets/${registered}`);
    await page.getByRole('button', { name: 'Refresh and run' }).click();
    const link = page.getByRole('link', { name: /^Open run / });
    await page.waitForFunction((previous) => {
      const anchor = document.querySelector('a[aria-label^="Open run "]');
      return anchor !== null && anchor.getAttribute('href') !== `/runs/${previous}`;
    }, runId);
    const liveRunId = (await link.getAttribute('href'))!.replace('/runs/', '');
    await link.click();
    await page.waitForURL(`${webUrl()}/runs/${liveRunId}`);
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const steps = page.locator('section[aria-labelledby="steps-title"] li');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('section[aria-labelledby="steps-title"] li')].every((step) =>
          step.textContent?.includes('succeeded'),
        ),
      undefined,
      { timeout: 180_000 },
    );
    expect(await steps.count()).toBe(4);
    await page.getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor();
    // The log grows from the stream's run-event messages.
    await page
      .locator('section[aria-labelledby="events-title"]')
      .getByText('deliver succeeded', { exact: true })
      .waitFor();
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect((await waitForRun(liveRunId)).status).toBe('succeeded');
  });

  it("passes a run's server-sent events through as they happen, not when the run ends", async () => {
    const { body } = await api('POST', '/v1/pipelines/run', { datasetName: registered });
    const response = await fetch(`${webUrl()}/api/runs/${body.runId}/events`, {
      headers: { accept: 'text/event-stream', ...boardSessionHeaders() },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes('event: run\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    const { body: run } = await api<Run>('GET', `/v1/runs/${body.runId}`);
    await reader.cancel();
    expect(received).toContain('event: run\n');
    // The first message reached the browser's side while the run was still going.
    expect(['queued', 'running']).toContain(run.status);
    expect((await waitForRun(body.runId)).status).toBe('succeeded');

    const unknown = await fetch(`${webUrl()}/api/runs/${randomUUID()}/events`, { headers: boardSessionHeaders() });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('run_not_found');
  });

  it("shows the api's message on the CSV URL field for a refused URL", async () => {
    const name = uniqueName('board_refused');
    const { status, body } = await api('POST', '/v1/datasets/csv', { name, csvUrl: 'file:///etc/passwd' });
    expect(status).toBe(400);
    const expected = (body.error.details.issues as { field: string; message: string }[]).find(
      (issue) => issue.field === 'csvUrl',
    )!.message;

    await page.goto(`${webUrl()}/datasets`);
    const form = page.getByRole('form', { name: 'Register a CSV by URL' });
    await form.getByLabel('Dataset name').fill(name);
    const url = form.getByLabel('CSV URL');
    await url.fill('file:///etc/passwd');
    await form.getByRole('button', { name: 'Register' }).click();

    await page.locator('#register-url[aria-invalid="true"]').waitFor();
    const describedBy = (await url.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(messages).toContain(expected);
    expect(await form.getByLabel('Dataset name').getAttribute('aria-invalid')).toBeNull();
    expect(page.url()).toBe(`${webUrl()}/datasets`);
    await inspect('datasets-refused-url');
  });

  it('uploads a file with a progress bar that reaches 100 and lands on the dataset page', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-upload-'));
    const file = path.join(dir, 'board upload.csv');
    writeFileSync(file, 'id,name,amount\n1,Ada,10.5\n2,Grace,20\n3,Alan,30.25\n');
    const name = uniqueName('board_upload');
    try {
      await page.goto(`${webUrl()}/datasets`);
      // The bar lives only until the page moves on, so every value it shows is recorded.
      await page.evaluate(() => {
        const seen: number[] = [];
        (window as unknown as { __progress: number[] }).__progress = seen;
        new MutationObserver(() => {
          for (const bar of document.querySelectorAll('[role="progressbar"]'))
            seen.push(Number(bar.getAttribute('aria-valuenow')));
        }).observe(document.body, {
          subtree: true,
          childList: true,
          attributes: true,
          attributeFilter: ['aria-valuenow'],
        });
      });
      const form = page.getByRole('form', { name: 'Upload a CSV' });
      await form.getByLabel('CSV file').setInputFiles(file);
      expect(await form.getByLabel('Dataset name').inputValue()).toBe('board_upload');
      await form.getByLabel('Dataset name').fill(name);
      await form.getByRole('button', { name: 'Upload' }).click();

      await page.waitForURL(`${webUrl()}/datasets/${name}`);
      const progress = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
      expect(progress.length).toBeGreaterThan(0);
      expect(Math.max(...progress)).toBe(100);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(name);
      expect(await page.getByText('Uploaded file').count()).toBe(1);
      // Uploaded datasets have no URL to fetch again.
      expect(await page.getByRole('button', { name: 'Refresh and run' }).count()).toBe(0);
      await inspect('dataset-uploaded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 for an unknown run and an unknown dataset', async () => {
    const run = await page.goto(`${webUrl()}/runs/${randomUUID()}`);
    expect(run?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Run not found' }).waitFor();
    await inspect('run-not-found');

    const dataset = await page.goto(`${webUrl()}/datasets/${uniqueName('missing')}`);
    expect(dataset?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Dataset not found' }).waitFor();
    await inspect('dataset-not-found');
  });

  it('lists the runs with the new run in its own row', async () => {
    const response = await page.goto(`${webUrl()}/`);
    expect(response?.status()).toBe(200);
    await page.locator(`a[href="/runs/${runId}"]`).waitFor();
    await inspect('runs');
  });

  it('raised no script errors on any page', () => {
    // The browser also logs the answers these tests ask for: the refused URL's 400 and the 404 pages.
    const unexpected = pageErrors.filter(
      (error) => !/Failed to load resource: the server responded with a status of (400|404)/.test(error),
    );
    expect(unexpected).toEqual([]);
  });
});
