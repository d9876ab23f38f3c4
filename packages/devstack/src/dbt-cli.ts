import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { dbtEnvironment, loadConfig } from '@relayboard/config';

/**
 * `./relayboard dbt <args>`: dbt with the app's connection settings (the same
 * DATABASE_URL / WAREHOUSE_URL as the api and worker, local stack by default).
 */
const config = loadConfig();
const args = process.argv.slice(2);
// The datasets the worker generated models for (dbt/models/relayboard/<dataset>/), for the
// relayboard_dataset_exists() guard that models such as the marts example use.
const generated = path.join(config.dbt.projectDir, 'models', 'relayboard');
const datasets = existsSync(generated)
  ? readdirSync(generated, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  : [];
const result = spawnSync(config.dbt.bin, args.length ? args : ['--help'], {
  cwd: config.dbt.projectDir,
  env: { ...dbtEnvironment(config), RELAYBOARD_DATASETS: datasets.join(',') },
  stdio: 'inherit',
});
if (result.error) {
  console.error(
    `relayboard: could not run dbt at ${config.dbt.bin}: ${result.error.message}; run ./relayboard bootstrap`,
  );
  process.exit(1);
}
process.exit(result.status ?? 1);
