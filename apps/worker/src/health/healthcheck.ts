/**
 * The worker image's HEALTHCHECK: `node apps/worker/dist/health/healthcheck.js`.
 * Exit 0 when the worker's heartbeat file (WORKER_HEARTBEAT_FILE) is fresh, 1 otherwise.
 */
import { loadConfig } from '@relayboard/config';
import { checkHeartbeat } from './heartbeat';

try {
  const config = loadConfig();
  const result = checkHeartbeat(config.worker.heartbeatFile, config.worker.heartbeatMs);
  if (result.healthy) {
    console.log(`worker alive: heartbeat ${Math.round(result.ageMs)} ms old`);
    process.exit(0);
  }
  console.error(`worker unhealthy: ${result.reason}`);
  process.exit(1);
} catch (error) {
  console.error(`worker unhealthy: ${(error as Error).message}`);
  process.exit(1);
}
