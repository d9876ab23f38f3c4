import { spawnSync } from 'node:child_process';
import { dbtEnvironment, loadConfig } from '@relayboard/config';

/**
 * `./relayboard dbt <args>`: dbt with the app's connection settings (the same
 * DATABASE_URL / WAREHOUSE_URL as the api and worker, local stack by default).
 */
const config = loadConfig();
const args = process.argv.slice(2);
const result = spawnSync(config.dbt.bin, args.length ? args : ['--help'], {
  cwd: config.dbt.projectDir,
  env: dbtEnvironment(config),
  stdio: 'inherit',
});
if (result.error) {
  console.error(`relayboard: could not run dbt at ${config.dbt.bin}: ${result.error.message}; run ./relayboard bootstrap`);
  process.exit(1);
}
process.exit(result.status ?? 1);
