import type { Page } from 'playwright-core';
import type { ColumnOverrides } from '@relayboard/contracts';
import { api, inspectPage, openBoardPage, runDataset, uniqueName, uploadCsv } from './helpers';
import { testStack } from './stack-env';

/**
 * The dataset page's column overrides in Debian's Chromium against the real stack: the
 * form shows the api's refusal next to the field, saves an override with a hostile
 * marker (rendered as text), and the schema view shows the override after the next run.
 */
describe("the board's column overrides", () => {
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const name = uniqueName('board_overrides');
  const pageErrors: string[] = [];
  const marker = '<img src=x onerror=alert(1)>';

  beforeAll(async () => {
    expect((await uploadCsv(name, 'id,amount\n1,10.5\n2,ten\n3,7\n')).status).toBe(201);
    expect((await runDataset(name)).status).toBe('succeeded');
    // The refusal below is an answer the test asks for; Chromium logs every 4xx fetch.
    ({ page, close: closeBrowser } = await openBoardPage(
      pageErrors,
      /Failed to load resource: the server responded with a status of 400/,
    ));
  });

  afterAll(async () => {
    await closeBrowser?.();
  });

  it('shows the api refusal by its field, saves an override, and the schema view shows it after the next run', async () => {
    await page.goto(`${testStack().webUrl}/datasets/${name}`);
    const form = page.getByRole('form', { name: 'Override a column' });
    await form.getByLabel('Column', { exact: true }).selectOption('amount');
    await form.getByLabel('Type', { exact: true }).selectOption('numeric');
    await form.getByLabel('Date format').selectOption('dd/mm/yyyy');
    await form.getByRole('button', { name: 'Save override' }).click();
    await page.locator('#override-date-part[aria-invalid="true"]').waitFor();
    expect(await page.locator('#override-date-part-error').textContent()).toContain(
      'a date format goes with type date, timestamp or timestamptz',
    );

    await form.getByLabel('Date format').selectOption('');
    await form.getByLabel('Missing-value markers', { exact: true }).fill(marker);
    await form.getByRole('button', { name: 'Save override' }).click();
    await form.getByText('Override of amount saved; the next run applies it.').waitFor();
    const stored = page.getByRole('list', { name: 'Column overrides for the next run' });
    await stored.getByText(`numeric; NULL for ${JSON.stringify(marker)}`).waitFor();
    expect((await api<ColumnOverrides>('GET', `/v1/datasets/${name}/column-overrides`)).body.columns).toEqual({
      amount: { type: 'numeric', nullMarkers: [marker] },
    });

    expect((await runDataset(name)).status).toBe('succeeded');
    await page.goto(`${testStack().webUrl}/datasets/${name}`);
    const decision = page.getByTestId('decision-amount');
    await decision.getByText('override', { exact: true }).waitFor();
    await decision.getByText('inferred text; override: numeric, NULL for').waitFor();
    expect(await decision.locator('code').textContent()).toBe(marker);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    const row = page
      .getByRole('table', { name: 'Inferred schema, in file order, with the newest profile' })
      .locator('tbody tr', { has: page.locator('td', { hasText: /^amount$/ }) });
    const cells = await row.locator('td').allTextContents();
    // Type numeric, and `ten` did not cast: one cast failure.
    expect([cells[3], cells[6]]).toEqual(['numeric', '1']);
    await inspectPage(page, 'dataset-column-overrides');

    await form.getByLabel('Column', { exact: true }).selectOption('amount');
    await form.getByRole('button', { name: 'Clear override' }).click();
    await form.getByText('Override of amount cleared; the next run types it from its values.').waitFor();
    await stored.waitFor({ state: 'detached' });
    expect((await api<ColumnOverrides>('GET', `/v1/datasets/${name}/column-overrides`)).body.columns).toEqual({});
    expect(pageErrors).toEqual([]);
  });
});
