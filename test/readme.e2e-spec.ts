import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixtureUrl } from './helpers';
import { testStack } from './stack-env';

/** The README's curl block, pointed at the test stack's ports instead of the local stack's. */
function readmeCurlScript(): string {
  const readme = readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
  const block = /<!-- readme-curl:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-curl:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no readme-curl block');
  return block[1]
    .replace('http://127.0.0.1:4000', testStack().apiUrl)
    .replace('http://127.0.0.1:4011/orders.csv', fixtureUrl('people.csv'))
    .replace('http://127.0.0.1:4010', testStack().slackUrl)
    .replace('.relayboard/admin-token', testStack().adminTokenFile);
}

describe('README curl examples', () => {
  it('work as written against the running stack', async () => {
    const script = readmeCurlScript();
    expect(script).toContain(testStack().apiUrl);
    // Asynchronously: jest runs in band, in the process that serves the test CSVs and the Slack stand-in.
    const result = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['-euo', 'pipefail', '-c', script],
        { encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    // health, dataset, destination, run, runs list, dataset again
    expect(lines).toHaveLength(6);
    const [health, dataset, destination, run, list, datasetAgain] = lines.map((l) => JSON.parse(l));
    expect(health.status).toBe('ok');
    expect(dataset.name).toBe('orders');
    expect(destination.kind).toBe('slack');
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((s: { name: string }) => s.name === 'stage').metrics.rows).toBe(4);
    expect(list.runs[0].id).toBe(run.id);
    expect(datasetAgain.currentVersion.sha256).toBe(dataset.currentVersion.sha256);
  });
});
