import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot, SETTING_NAMES, settingDefaults } from './index';

/** The variables named (in backticks) in the first column of docs/operations.md's "Settings" table. */
function documentedSettings(): string[] {
  const doc = readFileSync(path.join(findRepoRoot(__dirname), 'docs', 'operations.md'), 'utf8');
  const start = doc.search(/^## Settings\s*$/m);
  if (start < 0) throw new Error('docs/operations.md has no "## Settings" section');
  const rest = doc.slice(start + '## Settings'.length);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
}

describe("docs/operations.md's Settings table", () => {
  it('lists every setting of packages/config, and nothing else', () => {
    const documented = documentedSettings();
    expect(SETTING_NAMES.length).toBeGreaterThan(40);
    expect(SETTING_NAMES.filter((name) => !documented.includes(name))).toEqual([]);
    expect(documented.filter((name) => !SETTING_NAMES.includes(name))).toEqual([]);
  });

  it('agrees with the defaults the loader reads from an empty environment', () => {
    const defaults = settingDefaults();
    expect(defaults).toMatchObject({ NODE_ENV: 'development', WORKER_HEARTBEAT_MS: 5000, WORKER_CONCURRENCY: 2 });
    expect(Object.keys(defaults)).not.toEqual(expect.arrayContaining(['SECRETS_KEY']));
  });
});
