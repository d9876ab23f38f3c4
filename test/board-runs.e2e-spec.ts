import type { Page } from 'playwright-core';
import type { RunSummary } from '@relayboard/contracts';
import {
  api,
  fixtureUrl,
  insertFinishedRuns,
  inspectPage,
  openBoardPage,
  openRunChanges,
  type OpenStream,
  statusesOf,
  uniqueName,
  waitForRun,
  signInBoard,
} from './helpers';
import { testStack } from './stack-env';

/**
 * The runs list in Debian's Chromium against the real stack: live statuses from the
 * api's stream of run changes (no reload, no timer), pages in the URL, filters in the URL.
 * The one real run is also followed on api streams: its queued, running, succeeded.
 */
describe("the board's runs list: live, paged and filtered", () => {
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const webUrl = () => testStack().webUrl!;
  const name = uniqueName('board_runs');
  // Newest first: three finished runs written straight into the database, older than any real run of the test.
  let older: string[];
  let liveRunId: string;
  /** A finished run written while page 2 is open: the newest of all. */
  let latest: string;
  const pageErrors: string[] = [];
  const streams: OpenStream[] = [];

  const inspect = (screenshot: string) => inspectPage(page, screenshot);

  /** The run ids of the table's rows, top to bottom. */
  const rowIds = () =>
    page
      .locator('table tbody a[href^="/runs/"]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')!.replace('/runs/', '')));
  const rowOf = (runId: string) => page.locator('table tbody tr', { has: page.locator(`a[href="/runs/${runId}"]`) });
  /** The status cells' text as a screen reader has it: the badge without its glyph, top to bottom. */
  const badgeWords = () =>
    page.locator('table tbody tr td:nth-child(2)').evaluateAll((cells) =>
      cells.map((cell) => {
        const copy = cell.cloneNode(true) as HTMLElement;
        for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
        return copy.textContent?.trim();
      }),
    );
  const sameDocument = () => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument);

  beforeAll(async () => {
    expect((await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') })).status).toBe(201);
    older = await insertFinishedRuns(name, [
      { status: 'succeeded', minutesAgo: 30 },
      { status: 'failed', minutesAgo: 40 },
      { status: 'succeeded', minutesAgo: 50 },
    ]);
    ({ page, close: closeBrowser } = await openBoardPage(pageErrors));
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await closeBrowser?.();
  });

  it("adds a new run's row and follows its badge to succeeded without a reload", async () => {
    const response = await page.goto(`${webUrl()}/?datasetName=${name}&limit=2`);
    expect(response?.status()).toBe(200);
    expect(await rowIds()).toEqual(older.slice(0, 2));
    await page.getByTestId('runs-connection').filter({ hasText: 'Live' }).waitFor();
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const [ofDataset, running, all] = await Promise.all(
      [`?datasetName=${name}`, `?datasetName=${name}&status=running`, ''].map(openRunChanges),
    );
    streams.push(ofDataset, running, all);

    const { status, body } = await api('POST', '/v1/pipelines/run', { datasetName: name });
    expect(status).toBe(202);
    liveRunId = body.runId;
    // On the newest page a new run matching the filters comes in at the top; the page keeps its rows.
    await rowOf(liveRunId).waitFor();
    expect((await rowIds())[0]).toBe(liveRunId);
    expect(await rowIds()).toEqual([liveRunId, ...older.slice(0, 2)]);
    await rowOf(liveRunId).filter({ hasText: 'succeeded' }).waitFor({ timeout: 180_000 });
    expect(await sameDocument()).toBe(true);

    const run = await waitForRun(liveRunId);
    expect(run.status).toBe('succeeded');
    // The api's streams: every state once, in order; a status filter sees the run enter and leave it.
    for (const stream of [ofDataset, running, all])
      await stream.waitFor((summary) => summary.id === liveRunId && summary.status === 'succeeded');
    expect(statusesOf(ofDataset, liveRunId)).toEqual(['queued', 'running', 'succeeded']);
    expect(statusesOf(all, liveRunId)).toEqual(['queued', 'running', 'succeeded']);
    expect(statusesOf(running, liveRunId)).toEqual(['running', 'succeeded']);
    const { body: list } = await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${name}&limit=1`);
    await ofDataset.waitFor((summary) => JSON.stringify(summary) === JSON.stringify(list.runs[0]));
    const cells = rowOf(liveRunId).locator('td');
    // The badge's text is the status word; the glyph beside it is hidden from screen readers.
    expect((await badgeWords())[0]).toBe('succeeded');
    expect(await cells.nth(1).locator('[aria-hidden="true"]').count()).toBe(1);
    // The duration is the run's, from its times, not the dash of a run that has not started.
    expect(await cells.nth(5).innerText()).toMatch(/^(\d+(\.\d)? (ms|s)|\d+ m \d{2} s)$/);
    // Screen readers hear that it finished, in a polite status region.
    await page
      .getByTestId('runs-announcer')
      .filter({ hasText: `Run of ${name} succeeded.` })
      .waitFor();
    expect(await page.getByTestId('runs-announcer').getAttribute('role')).toBe('status');
    await inspect('runs-live');
  });

  it('pages with "Next page": the cursor is in the URL, the rows differ, and a reload shows the same rows', async () => {
    await page.goto(`${webUrl()}/?datasetName=${name}&limit=2`);
    const first = await rowIds();
    expect(first).toEqual([liveRunId, older[0]]);
    await page.getByRole('navigation', { name: 'Pages of runs' }).getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/[?&]cursor=/);
    const url = new URL(page.url());
    expect(url.searchParams.get('datasetName')).toBe(name);
    expect(url.searchParams.get('limit')).toBe('2');
    await page.locator(`a[href="/runs/${older[1]}"]`).waitFor();
    const second = await rowIds();
    expect(second).toEqual(older.slice(1, 3));
    expect(second.some((id) => first.includes(id))).toBe(false);
    expect(await page.getByText('Oldest runs reached.').count()).toBe(1);

    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(200);
    expect(await rowIds()).toEqual(second);
    await page.getByTestId('runs-connection').filter({ hasText: 'Live' }).waitFor();

    // A new run belongs on the newest page, not this one: it is counted, with a way there.
    [latest] = await insertFinishedRuns(name, [{ status: 'succeeded', minutesAgo: 0 }]);
    await page.getByTestId('newer-runs').filter({ hasText: '1 new run since this page loaded.' }).waitFor();
    expect(await rowIds()).toEqual(second);
    await inspect('runs-page-2');
    await page.getByRole('link', { name: 'Show the newest runs' }).click();
    await page.waitForURL(
      (current) => !current.searchParams.has('cursor') && current.searchParams.get('limit') === '2',
    );
    await page.locator(`a[href="/runs/${latest}"]`).waitFor();
    expect(await rowIds()).toEqual([latest, liveRunId]);

    // Back one page from page 2 by the api's backwards cursor: the page just newer than it, as it was.
    await page.goto(url.toString());
    await page.getByRole('link', { name: 'Previous page' }).click();
    await page.waitForURL(/[?&]before=/);
    await page.locator(`a[href="/runs/${liveRunId}"]`).waitFor();
    expect(await rowIds()).toEqual(first);
    // A newer page still comes before it.
    expect(await page.getByRole('link', { name: 'Previous page' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Newest', exact: true }).click();
    await page.waitForURL(
      (current) => !current.searchParams.has('before') && current.searchParams.get('datasetName') === name,
    );
    await page.locator(`a[href="/runs/${latest}"]`).waitFor();
    expect(await rowIds()).toEqual([latest, liveRunId]);
  });

  it('suggests dataset names as a person types, asking the api for that prefix only, and filters by the one chosen', async () => {
    await page.goto(`${webUrl()}/`);
    const form = page.getByRole('form', { name: 'Filter runs' });
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/datasets?')) asked.push(new URL(request.url()).searchParams.get('prefix') ?? '');
    });
    await form.getByLabel('Dataset').fill(name.slice(0, -2));
    await page.locator(`[data-testid="dataset-suggestions"] option[value="${name}"]`).waitFor({ state: 'attached' });
    expect(asked.at(-1)).toBe(name.slice(0, -2));
    await form.getByLabel('Dataset').fill(name);
    await form.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((current) => current.searchParams.get('datasetName') === name);
    expect(await rowIds()).toEqual([latest, liveRunId, ...older]);
  });

  it('shows only the matching rows for a status filter in the URL, chosen with the keyboard in the GET form', async () => {
    await page.goto(`${webUrl()}/?datasetName=${name}`);
    expect(await rowIds()).toEqual([latest, liveRunId, ...older]);
    const form = page.getByRole('form', { name: 'Filter runs' });
    expect(await form.getAttribute('action')).toBe('/');
    await form.getByLabel('Status').focus();
    await form.getByLabel('Status').selectOption('failed');
    await form.getByRole('button', { name: 'Apply' }).press('Enter');
    await page.waitForURL(
      (current) => current.searchParams.get('status') === 'failed' && current.searchParams.get('datasetName') === name,
    );
    await page.locator(`a[href="/runs/${older[1]}"]`).waitFor();
    expect(await rowIds()).toEqual([older[1]]);
    expect(await badgeWords()).toEqual(['failed']);

    // The same URL loaded afresh, as a link or a bookmark would.
    await page.goto(`${webUrl()}/?datasetName=${name}&status=succeeded`);
    expect(await rowIds()).toEqual([latest, liveRunId, older[0], older[2]]);
    expect(await badgeWords()).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    await inspect('runs-filtered');
  });

  it('filters and pages without JavaScript: a GET form and plain links', async () => {
    const { chromium } = await import('playwright-core');
    const plain = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const context = await plain.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 768 } });
      await signInBoard(context);
      const noScript = await context.newPage();
      noScript.setDefaultTimeout(30_000);
      await noScript.goto(`${webUrl()}/?datasetName=${name}&limit=2`);
      const ids = () =>
        noScript
          .locator('table tbody a[href^="/runs/"]')
          .evaluateAll((links) => links.map((link) => link.getAttribute('href')!.replace('/runs/', '')));
      expect(await ids()).toEqual([latest, liveRunId]);
      // No stream runs without JavaScript, so no connection state claims one.
      expect(await noScript.getByTestId('runs-connection').count()).toBe(0);
      await noScript.getByRole('link', { name: 'Next page' }).click();
      await noScript.waitForURL(/[?&]cursor=/);
      expect(await ids()).toEqual(older.slice(0, 2));

      await noScript.getByLabel('Status').selectOption('failed');
      await noScript.getByRole('button', { name: 'Apply' }).click();
      await noScript.waitForURL((current) => current.searchParams.get('status') === 'failed');
      const url = new URL(noScript.url());
      // The page size stays; the cursor does not: new filters start at the newest.
      expect([
        url.searchParams.get('datasetName'),
        url.searchParams.get('limit'),
        url.searchParams.has('cursor'),
      ]).toEqual([name, '2', false]);
      expect(await ids()).toEqual([older[1]]);
    } finally {
      await plain.close();
    }
  });

  it('raised no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
