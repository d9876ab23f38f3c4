import { mkdtempSync, rmSync, utimesSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkHeartbeat, Heartbeat, maxHeartbeatAgeMs } from './heartbeat';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('worker heartbeat', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-heartbeat-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the file at start and keeps rewriting it until stopped', async () => {
    const file = path.join(dir, 'nested', 'worker.heartbeat');
    const beat = new Heartbeat(file, 100);
    beat.start();
    try {
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
      // Backdate it: a later beat must bring it back to now.
      const old = new Date(Date.now() - 60_000);
      utimesSync(file, old, old);
      expect(checkHeartbeat(file, 100).healthy).toBe(false);
      for (let i = 0; i < 50 && !checkHeartbeat(file, 100).healthy; i++) await sleep(100);
      expect(checkHeartbeat(file, 100)).toMatchObject({ healthy: true });
    } finally {
      beat.stop();
    }
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    await sleep(400);
    // Stopped: nothing rewrites it any more.
    expect(checkHeartbeat(file, 100)).toMatchObject({
      healthy: false,
      reason: expect.stringContaining('stuck or shutting down'),
    });
  });

  it('is unhealthy without a file or a setting, and healthy up to three missed beats', () => {
    const file = path.join(dir, 'worker.heartbeat');
    expect(checkHeartbeat(null, 5_000)).toMatchObject({
      healthy: false,
      reason: expect.stringContaining('WORKER_HEARTBEAT_FILE'),
    });
    expect(checkHeartbeat(file, 5_000)).toMatchObject({
      healthy: false,
      reason: expect.stringContaining('no heartbeat file'),
    });
    writeFileSync(file, '{}');
    const now = Date.now();
    const at = (ageMs: number) => {
      const t = new Date(now - ageMs);
      utimesSync(file, t, t);
    };
    at(14_000);
    expect(checkHeartbeat(file, 5_000, now).healthy).toBe(true);
    at(16_000);
    expect(checkHeartbeat(file, 5_000, now).healthy).toBe(false);
    expect(maxHeartbeatAgeMs(100)).toBe(5_000);
    expect(existsSync(file)).toBe(true);
  });
});
