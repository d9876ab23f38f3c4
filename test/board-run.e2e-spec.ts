import type { Page } from 'playwright-core';
import type { Run, RunRejects } from '@relayboard/contracts';
import { formatBytes } from '../apps/web/src/lib/format';
import { api, inspectPage, openBoardPage, seriousAxeViolations, uniqueName, uploadCsv, waitForRun } from './helpers';
import { testStack } from './stack-env';

const ROWS = 150_000;
/** Lines (the header is line 1) whose records do not fit the header: rejected, and few enough for the load to be published. */
const RAGGED = new Map([
  [101, '100,ragged,1.5,a note,extra'],
  [5001, '5000,short'],
]);
/** A record whose note is empty: the not_null check on note fails on it. */
const NOTE_MISSING_ID = 7;

/** A few MB, so the stage step reports its progress while it reads the file. */
function generatedCsv(): Buffer {
  const lines = ['id,name,amount,note'];
  for (let id = 1; id <= ROWS; id++) {
    const line = id + 1;
    lines.push(RAGGED.get(line) ?? `${id},name ${id},${id}.25,${id === NOTE_MISSING_ID ? '' : `note ${id}`}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/**
 * A run's page in Debian's Chromium against the real stack, opened while the run
 * goes: the step timeline, the staging progress bar fed by the api's events, dbt's
 * models and tests with the failing one first, the rejected rows and the digest.
 */
describe("a run's page: timeline, staging progress, dbt results and rejected rows", () => {
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  const webUrl = () => testStack().webUrl!;
  const name = uniqueName('board_run');
  const notNullCheck = `${name}__not_null_note`;
  let csvBytes: number;
  let runId: string;
  let run: Run;
  const pageErrors: string[] = [];

  const inspect = (screenshot: string) => inspectPage(page, screenshot);

  const section = (title: string) => page.locator(`section[aria-labelledby="${title}"]`);

  beforeAll(async () => {
    const csv = generatedCsv();
    csvBytes = csv.length;
    const uploaded = await uploadCsv(name, csv, 'big.csv');
    expect(uploaded.status).toBe(201);
    for (const check of [
      { kind: 'not_null', column: 'note' },
      { kind: 'unique', column: 'id' },
    ]) {
      expect((await api('POST', `/v1/datasets/${name}/checks`, check)).status).toBe(201);
    }
    ({ page, close: closeBrowser } = await openBoardPage(pageErrors));
  });

  afterAll(async () => {
    await closeBrowser?.();
  });

  it('follows the run live: the staging progress bar reaches 100 with the bytes and rows', async () => {
    const triggered = await api('POST', '/v1/pipelines/run', { datasetName: name });
    expect(triggered.status).toBe(202);
    runId = triggered.body.runId;
    const response = await page.goto(`${webUrl()}/runs/${runId}`);
    expect(response?.status()).toBe(200);
    // Opened while the run goes: the page follows it over the stream.
    await page.getByTestId('run-status').getByText('Live').waitFor();
    await inspect('run-live');

    const bar = page.getByRole('progressbar', { name: /Staged|Loading|publishing|Starting/ });
    await section('staging-title').locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 180_000 });
    expect(await bar.getAttribute('aria-valuemin')).toBe('0');
    expect(await bar.getAttribute('aria-valuemax')).toBe('100');

    run = await waitForRun(runId);
    const stage = run.steps.find((step) => step.name === 'stage')!;
    expect(stage.status).toBe('succeeded');
    expect(stage.metrics).toMatchObject({ bytes: csvBytes, rows: ROWS - RAGGED.size, rejects: RAGGED.size });
    // The api reported the load as it went: these are the events the bar was fed by.
    const reports = run.events.filter((event) => event.step === 'stage' && typeof event.data?.bytesDone === 'number');
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((event) => event.data!.bytesTotal === csvBytes)).toBe(true);

    await page.getByTestId('run-status').getByText(run.status).waitFor();
    expect(await page.getByTestId('stage-progress-bytes').textContent()).toBe(
      `${formatBytes(csvBytes)} of ${formatBytes(csvBytes)}`,
    );
    expect(await page.getByTestId('stage-progress-rows').textContent()).toBe(
      (ROWS - RAGGED.size).toLocaleString('en-US'),
    );
    expect(await bar.getAttribute('aria-valuetext')).toBe(
      `100%: ${formatBytes(csvBytes)} of ${formatBytes(csvBytes)}, ${(ROWS - RAGGED.size).toLocaleString('en-US')} rows`,
    );
  });

  it('lists the four steps on the timeline, each with its duration', async () => {
    // The failing check fails the build; deliver still runs to say so.
    expect(run.status).toBe('failed');
    const steps = section('steps-title').locator('li');
    expect(await steps.count()).toBe(4);
    for (const step of run.steps) {
      const item = section('steps-title').locator(`li[data-step="${step.name}"]`);
      await item.getByRole('heading', { name: new RegExp(`${step.name}$`) }).waitFor();
      expect(await item.textContent()).toContain(step.status);
      expect(step.startedAt).not.toBeNull();
      const duration = await page.getByTestId(`duration-${step.name}`).textContent();
      expect(duration).toMatch(/^\d+(\.\d)? (ms|s)$|^\d+ m \d\d s$/);
    }
  });

  it('lists the failing test first, with its message and failing rows', async () => {
    const failing = run.nodes!.find((node) => node.name === notNullCheck)!;
    expect(failing).toMatchObject({ kind: 'test', status: 'fail', failures: 1 });
    expect(failing.message).toBeTruthy();

    const table = page.getByRole('table', { name: 'dbt models and tests, failures first' });
    const rows = table.locator('tbody tr');
    // The status comes over the stream; the results come with the page's refresh that follows it.
    await rows.nth(run.nodes!.length - 1).waitFor();
    expect(await rows.count()).toBe(run.nodes!.length);
    const first = rows.first();
    expect(await first.getByTestId('node-name').textContent()).toBe(notNullCheck);
    expect(await first.locator('td').first().textContent()).toBe('fail');
    await first.getByText(failing.message!, { exact: true }).waitFor();
    for (const sample of failing.samples) await first.getByText(sample, { exact: true }).waitFor();
    expect(failing.samples).toEqual(['note=null']);
    // The passing test and the models come after it.
    expect(await rows.nth(1).locator('td').first().textContent()).not.toBe('fail');
  });

  it('shows the rejected rows with their line numbers and reasons', async () => {
    const { body: rejects } = await api<RunRejects>('GET', `/v1/runs/${runId}/rejects`);
    expect(rejects.source).toBe('available');
    expect(rejects.rejects.map((r) => r.lineNumber)).toEqual([...RAGGED.keys()]);

    const table = page.getByRole('table', { name: 'Rejected rows, by line number' });
    const rows = table.locator('tbody tr');
    await rows.nth(RAGGED.size - 1).waitFor();
    expect(await rows.count()).toBe(RAGGED.size);
    for (const [index, reject] of rejects.rejects.entries()) {
      const row = rows.nth(index);
      expect(await row.getByTestId('reject-line').textContent()).toBe(reject.lineNumber.toLocaleString('en-US'));
      expect(await row.getByTestId('reject-reason').textContent()).toBe(reject.reason);
      expect(await row.getByTestId('reject-raw').textContent()).toBe(RAGGED.get(reject.lineNumber));
    }
    expect(await section('rejects-title').textContent()).toContain(`2 rejected rows, kept in staging.${name}__rejects`);
  });

  it('shows the digest preview, then passes axe at both widths', async () => {
    const { body: digest } = await api('GET', `/v1/runs/${runId}/digest`);
    const header = (digest.digest.blocks as { type: string; text?: { text: string } }[]).find(
      (block) => block.type === 'header',
    )!;
    await section('digest-title').locator('figure').getByText(header.text!.text, { exact: true }).waitFor();
    await inspect('run-finished');
    expect(pageErrors).toEqual([]);
  });

  it("says on an older run's page that a later load replaced its rejected rows", async () => {
    // A small new version keeps the second run short; its load replaces the rejects table.
    expect((await uploadCsv(name, 'id,name,amount,note\n1,Ada,1.5,a note\n', 'small.csv')).status).toBe(200);
    const { body } = await api('POST', '/v1/pipelines/run', { datasetName: name });
    const later = await waitForRun(body.runId);
    expect(later.steps.find((step) => step.name === 'stage')?.status).toBe('succeeded');
    await page.goto(`${webUrl()}/runs/${runId}`);
    const notice = page.getByTestId('rejects-replaced');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(
      `Its 2 rejected rows were kept in staging.${name}__rejects until run ${later.id.slice(0, 8)} staged the dataset again`,
    );
    expect(await page.getByRole('table', { name: 'Rejected rows, by line number' }).count()).toBe(0);
    expect(await notice.getByRole('link', { name: `run ${later.id.slice(0, 8)}` }).getAttribute('href')).toBe(
      `/runs/${later.id}`,
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
