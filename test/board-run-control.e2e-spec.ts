import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Run } from '@relayboard/contracts';
import { api, inspectPage, openBoardPage, query, uniqueName, uploadCsv, waitForRun } from './helpers';
import { testStack } from './stack-env';

/**
 * The run page's Retry and Cancel buttons in Debian's Chromium against the real
 * stack: a run failed at transform is retried from the page and followed live,
 * canceled from the page after a confirmation while its dbt runs, and an api
 * refusal is shown with the board's api problem notice.
 */
describe("a run's page: Retry and Cancel", () => {
  const name = uniqueName('board_ctl');
  const mart = `${name}_mart`;
  const model = path.join(testStack().dbtProjectDir, 'models', 'marts', `${mart}.sql`);
  const pageErrors: string[] = [];
  let page: Page;
  let closeBrowser: (() => Promise<void>) | undefined;
  let runId: string;

  const status = () => page.getByTestId('run-status');

  beforeAll(async () => {
    expect((await uploadCsv(name, `id,city\n1,Oslo\n2,Lima\n3,Oslo\n`)).status).toBe(201);
    writeFileSync(
      model,
      `{{ config(enabled=relayboard_dataset_exists('${name}')) }}\nselect city, no_such_column from {{ ref('${name}') }}\n`,
    );
    const failed = await waitForRun((await api('POST', '/v1/pipelines/run', { datasetName: name })).body.runId);
    expect(failed.status).toBe('failed');
    runId = failed.id;
    // The api's 409 on a second retry is expected; Chromium logs the failed fetch.
    ({ page, close: closeBrowser } = await openBoardPage(pageErrors, /409 \(Conflict\)/));
  });

  afterAll(async () => {
    rmSync(model, { force: true });
    await closeBrowser?.();
  });

  it('retries a failed run from the page and follows it live, then cancels it after a confirmation', async () => {
    expect((await page.goto(`${testStack().webUrl}/runs/${runId}`))?.status()).toBe(200);
    const retry = page.getByRole('button', { name: 'Retry from failed step' });
    await retry.waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await inspectPage(page, 'run-control-failed');

    // The fixed model is slow, so the retried run is still in dbt when it is canceled. (pg_sleep returns
    // void, which a table cannot hold: the sleep runs once, in a subquery that yields a number.)
    writeFileSync(
      model,
      `{{ config(enabled=relayboard_dataset_exists('${name}'), materialized='table') }}\nselect (select count(*) from pg_sleep(120)) as slept, city from {{ ref('${name}') }}\n`,
    );
    await retry.click();
    await page.getByRole('status').getByText('Retry requested').waitFor();
    await status().getByText('running').waitFor({ timeout: 120_000 });
    await status().getByText('Live').waitFor();
    expect(await retry.count()).toBe(0);

    await page.getByRole('button', { name: 'Cancel run' }).click();
    const confirm = page.getByRole('form', { name: 'Cancel this run?' });
    await confirm.waitFor();
    await page.getByLabel('Reason (optional)').fill('checking the board');
    await inspectPage(page, 'run-control-cancel-confirm');
    await confirm.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await page.getByRole('status').getByText('Cancel requested').waitFor();
    await status().getByText('canceled').waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: 'Why this run was canceled' }).waitFor();
    await page.getByText('canceled: checking the board').first().waitFor();
    const run = (await api<Run>('GET', `/v1/runs/${runId}`)).body;
    expect(run.status).toBe('canceled');
    expect(run.events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^retried by the board \(retry 1\): resumes from transform/),
    );
    expect(run.events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^cancel requested by the board: checking the board/),
    );
    await inspectPage(page, 'run-control-canceled');
  });

  it("shows the api's refusal with the api problem notice", async () => {
    rmSync(model, { force: true });
    // Retried elsewhere meanwhile: the page still offers Retry, and the api refuses the second one.
    expect((await api('POST', `/v1/runs/${runId}/retry`)).status).toBe(202);
    await page.getByRole('button', { name: 'Retry from failed step' }).click();
    const notice = page.locator('section[aria-labelledby="api-problem-title"]');
    await notice.getByText('run_not_retryable').waitFor();
    await notice.getByText(/only failed or canceled runs can be retried/).waitFor();
    await inspectPage(page, 'run-control-refused');
    expect((await waitForRun(runId)).status).toBe('succeeded');
    expect(await query(`select count(*)::int as n from warehouse."${name}"`)).toEqual([{ n: 3 }]);
    expect(pageErrors).toEqual([]);
  });
});
