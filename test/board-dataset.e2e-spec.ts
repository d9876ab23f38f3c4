import type { Page } from 'playwright-core';
import type { Check, DatasetLineage } from '@relayboard/contracts';
import { api, fixtureUrl, inspectPage, openBoardPage, runDataset, uniqueName, uploadCsv } from './helpers';
import { testStack } from './stack-env';

/**
 * A dataset's page beyond running it: the run history chart, declaring and removing
 * checks through the form, the lineage graph and the schedule, in Debian's Chromium against the real stack.
 */
describe("the board's dataset page: run chart, checks, lineage and schedule", () => {
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const webUrl = () => testStack().webUrl!;
  const name = uniqueName('board_checks');
  const pageErrors: string[] = [];
  // The refused checks below are answers the test asks for; Chromium logs every 4xx fetch.
  const expectedRefusals = /Failed to load resource: the server responded with a status of (400|409)/;

  const inspect = (screenshot: string) => inspectPage(page, screenshot);

  const checksTable = () => page.getByRole('table', { name: 'Declared checks with their last result' });
  const checkRow = () => checksTable().locator('tbody tr', { hasText: 'not null' }).filter({ hasText: 'note' });

  beforeAll(async () => {
    const created = await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') });
    expect(created.status).toBe(201);
    ({ page, close: closeBrowser } = await openBoardPage(pageErrors, expectedRefusals));
  });

  afterAll(async () => {
    await closeBrowser?.();
  });

  it('shows empty states before the first run', async () => {
    const response = await page.goto(`${webUrl()}/datasets/${name}`);
    expect(response?.status()).toBe(200);
    await page.getByTestId('run-history-empty').waitFor();
    await page.getByTestId('lineage-empty').waitFor();
    await checksTable().getByText('No checks declared.').waitFor();
    await inspect('dataset-before-run');
  });

  it('draws rows and duration of the finished runs, with an accessible summary', async () => {
    const run = await runDataset(name);
    expect(run.status).toBe('succeeded');
    const rows = run.steps.find((step) => step.name === 'stage')!.metrics.rows as number;

    await page.goto(`${webUrl()}/datasets/${name}`);
    const chart = page.getByTestId('run-history-chart');
    await chart.locator('svg.recharts-surface').first().waitFor();
    expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    const summary = await chart.locator('figcaption').textContent();
    expect(summary).toContain('1 finished run;');
    expect(summary).toContain(`latest loaded ${rows.toLocaleString('en-US')} rows`);
    const table = page.getByRole('table', { name: 'Rows and duration of each finished run, oldest first' });
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody td').nth(2).textContent()).toBe(rows.toLocaleString('en-US'));
  });

  it('draws the lineage: source, staging view, table and profile, with a text list', async () => {
    const { body: lineage } = await api<DatasetLineage>('GET', `/v1/datasets/${name}/lineage`);
    const graph = page.getByTestId('lineage-graph');
    await graph.locator('.react-flow__node').first().waitFor();
    for (const role of ['source', 'staging', 'table', 'profile'] as const) {
      const node = lineage.nodes.find((candidate) => candidate.role === role);
      expect(node).toBeDefined();
      await graph.locator(`.react-flow__node[data-id="${node!.id}"]`).getByText(node!.name, { exact: true }).waitFor();
    }
    expect(await graph.locator('.react-flow__edge').count()).toBeGreaterThan(0);
    const list = page.getByTestId('lineage-list');
    const text = await list.textContent();
    for (const label of ['source', 'staging view', 'table', 'profile']) expect(text).toContain(`: ${label}`);
    // At phone width nothing may widen the page past the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1366, height: 768 });
    await inspect('dataset-chart-lineage');
  });

  it('refuses accepted values with no values, on the field, with the api message', async () => {
    const form = page.getByRole('form', { name: 'Add a check' });
    await form.getByLabel('Kind').selectOption('accepted_values');
    await form.getByLabel('Column').selectOption('city');
    await form.getByRole('button', { name: 'Add check' }).click();
    const values = form.getByLabel('Accepted values');
    await page.locator('#check-values[aria-invalid="true"]').waitFor();
    const errorId = (await values.getAttribute('aria-describedby'))!.split(' ')[0];
    expect(await page.locator(`#${errorId}`).textContent()).toBe('list at least one accepted value');
    await inspect('dataset-check-refused');
  });

  it('adds a not_null check on note through the form, shows its failed result after a run, and removes it', async () => {
    const form = page.getByRole('form', { name: 'Add a check' });
    await form.getByLabel('Kind').selectOption('not_null');
    await form.getByLabel('Column').selectOption('note');
    await form.getByLabel('Severity').selectOption('warn');
    await form.getByRole('button', { name: 'Add check' }).click();
    await checkRow().getByText('not run yet').waitFor();

    const { body } = await api<{ checks: Check[] }>('GET', `/v1/datasets/${name}/checks`);
    expect(body.checks).toHaveLength(1);
    expect(body.checks[0]).toMatchObject({ kind: 'not_null', column: 'note', severity: 'warn' });

    // people.csv has a row without a note, so the check fails (as a warning: the run still succeeds).
    const run = await runDataset(name);
    await page.reload();
    const result = checkRow();
    await result.getByText('warn', { exact: true }).first().waitFor();
    expect(await result.textContent()).toContain('1 failing row');
    expect(await result.getByRole('link', { name: /^Run / }).getAttribute('href')).toBe(`/runs/${run.id}`);
    // Two finished runs now.
    expect(await page.getByTestId('run-history-chart').locator('figcaption').textContent()).toContain(
      '2 finished runs;',
    );
    await inspect('dataset-check-result');

    await result.getByRole('button', { name: /^Remove check / }).click();
    await checksTable().getByText('No checks declared.').waitFor();
    expect((await api<{ checks: Check[] }>('GET', `/v1/datasets/${name}/checks`)).body.checks).toEqual([]);
  });

  it('shows a duplicate check (409) on its field', async () => {
    const form = page.getByRole('form', { name: 'Add a check' });
    for (let attempt = 0; attempt < 2; attempt++) {
      await form.getByLabel('Kind').selectOption('unique');
      await form.getByLabel('Column').selectOption('id');
      await form.getByRole('button', { name: 'Add check' }).click();
      if (attempt === 0) await checksTable().locator('tbody tr', { hasText: 'unique' }).waitFor();
    }
    await page.locator('#check-column[aria-invalid="true"]').waitFor();
    expect(await page.locator('#check-column-error').textContent()).toContain('already declares');
  });

  it('refuses a relationships check on a dataset that does not exist, on the field, and adds one on an existing dataset', async () => {
    const form = page.getByRole('form', { name: 'Add a check' });
    await form.getByLabel('Kind').selectOption('relationships');
    await form.getByLabel('Column', { exact: true }).selectOption('id');
    const missing = uniqueName('nowhere');
    await form.getByLabel('Referenced dataset').fill(missing);
    await form.getByLabel('Referenced column').fill('id');
    await form.getByRole('button', { name: 'Add check' }).click();
    await page.locator('#check-to-dataset[aria-invalid="true"]').waitFor();
    const errorId = (await form.getByLabel('Referenced dataset').getAttribute('aria-describedby'))!.split(' ')[0];
    expect(await page.locator(`#${errorId}`).textContent()).toContain(`no dataset named "${missing}"`);
    await inspect('dataset-relationship-refused');

    await form.getByLabel('Referenced dataset').fill(name);
    await form.getByRole('button', { name: 'Add check' }).click();
    await checksTable()
      .locator('tbody tr', { hasText: `in ${name}.id` })
      .waitFor();
    const { body } = await api<{ checks: Check[] }>('GET', `/v1/datasets/${name}/checks`);
    expect(body.checks.find((check) => check.kind === 'relationships')).toMatchObject({
      column: 'id',
      toDataset: name,
      toColumn: 'id',
    });
  });

  it("shows each column's null share and cast failures, the versions' dialect, and a new version's schema changes", async () => {
    const schema = page.getByRole('table', { name: 'Inferred schema, in file order, with the newest profile' });
    const cells = async (column: string) =>
      schema
        .locator('tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${column}$`) }) })
        .locator('td')
        .allTextContents();
    await page.goto(`${webUrl()}/datasets/${name}`);
    await schema.waitFor();
    // people.csv: four rows; one has no note, one an empty city.
    expect(await cells('note')).toEqual(['4', 'note', 'note', 'text', '25%', '3', '0', '—', '—']);
    expect((await cells('id')).slice(4)).toEqual(['0%', '4', '0', '1 … 4', '—']);
    const versions = page.getByRole('table', { name: 'Versions, newest first' });
    expect(await versions.locator('tbody tr').first().textContent()).toContain('utf-8, comma, LF');

    // A new version: id is no longer a whole number in one row, and an email column is added.
    const csv = 'id,Full Name,city,note,email\n1,Ada,London,x,ada@example.com\nB2,Grace,New York,,grace@example.com\n';
    expect((await uploadCsv(name, csv)).status).toBe(200);
    expect((await runDataset(name)).status).toBe('succeeded');
    await page.goto(`${webUrl()}/datasets/${name}`);
    await schema.waitFor();
    const changes = page.getByRole('list', { name: 'Schema changes, newest first' });
    await changes.getByText('added email', { exact: true }).waitFor();
    await changes.getByText('id: bigint → text', { exact: true }).waitFor();
    expect((await cells('email')).slice(4, 7)).toEqual(['0%', '2', '0']);
    await inspect('dataset-profile-schema-changes');
  });

  it('sets a schedule through the form, shows its cron, time zone and next run, and pauses, resumes and removes it', async () => {
    await page.goto(`${webUrl()}/datasets/${name}`);
    await page.getByText('No schedule: the dataset runs only when someone starts it.').waitFor();
    const form = page.getByRole('form', { name: 'Set a schedule' });
    await form.getByLabel('Cron').fill('every morning');
    await form.getByLabel('Time zone').fill('Europe/Paris');
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await page.locator('#schedule-cron[aria-invalid="true"]').waitFor();
    expect(await page.locator('#schedule-cron-error').textContent()).toContain('e.g. 0 6 * * 1-5');

    await form.getByLabel('Cron').fill('0 6 * * 1-5');
    await form.getByRole('button', { name: 'Save schedule' }).click();
    const facts = page.getByTestId('schedule-facts');
    await facts.getByText('0 6 * * 1-5', { exact: true }).waitFor();
    const { body: schedule } = await api('GET', `/v1/datasets/${name}/schedule`);
    expect(schedule).toMatchObject({ cron: '0 6 * * 1-5', timezone: 'Europe/Paris', paused: false });
    expect(await facts.getByText('Europe/Paris', { exact: true }).count()).toBe(1);
    expect(await facts.locator('time').getAttribute('datetime')).toBe(schedule.nextRunAt);
    await facts.getByText('Active', { exact: true }).waitFor();
    await inspect('dataset-schedule');

    await page.getByRole('button', { name: 'Pause schedule' }).click();
    await facts.getByText('Paused', { exact: true }).waitFor();
    expect((await api('GET', `/v1/datasets/${name}/schedule`)).body).toMatchObject({ paused: true, nextRunAt: null });
    await page.getByRole('button', { name: 'Resume schedule' }).click();
    await facts.getByText('Active', { exact: true }).waitFor();
    expect((await api('GET', `/v1/datasets/${name}/schedule`)).body.paused).toBe(false);
    await page.getByRole('button', { name: 'Remove schedule' }).click();
    await page.getByText('No schedule: the dataset runs only when someone starts it.').waitFor();
    expect((await api('GET', `/v1/datasets/${name}/schedule`)).status).toBe(404);
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
