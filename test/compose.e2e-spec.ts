import { spawnSync } from 'node:child_process';
import path from 'node:path';

describe('docker-compose.yml', () => {
  it('validates offline and declares every service with its ports and healthchecks', () => {
    const root = path.resolve(__dirname, '..');
    const result = spawnSync('bash', [path.join(root, 'infra', 'compose', 'validate.sh')], { cwd: root, encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/ERROR|problem/i);
    expect(result.status).toBe(0);
  });
});
