import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface ProbeResult {
  ok: boolean;
  error?: string;
  version?: string;
}

/** How long an answer of `dbt --version` stands: dbt takes seconds to start, so /ready never waits on it per request. */
const OK_FOR_MS = 10 * 60_000;
const FAILED_FOR_MS = 15_000;
const VERSION_TIMEOUT_MS = 60_000;

/**
 * Whether the configured dbt binary exists and answers `--version`, cached:
 * the first check starts with the api, later ones run in the background when
 * the cached answer is stale, and /ready reports the newest answer.
 */
export class DbtProbe {
  private result: ProbeResult | null = null;
  private checkedAt = 0;
  private running: Promise<ProbeResult> | null = null;

  constructor(private readonly bin: string) {}

  /** The cached answer; a stale one starts a new check (answered by a later call). */
  current(): ProbeResult {
    const stale = !this.result || Date.now() - this.checkedAt > (this.result.ok ? OK_FOR_MS : FAILED_FOR_MS);
    if (stale) void this.refresh();
    return this.result ?? { ok: false, error: `${this.bin} --version has not answered yet (it is being checked)` };
  }

  refresh(): Promise<ProbeResult> {
    this.running ??= this.run().then((result) => {
      this.result = result;
      this.checkedAt = Date.now();
      this.running = null;
      return result;
    });
    return this.running;
  }

  private run(): Promise<ProbeResult> {
    const bin = this.bin;
    if (path.isAbsolute(bin) && !existsSync(bin)) {
      return Promise.resolve({
        ok: false,
        error: `DBT_BIN ${bin} does not exist; install dbt there or point DBT_BIN at it`,
      });
    }
    return new Promise((resolve) => {
      execFile(
        bin,
        ['--version'],
        {
          timeout: VERSION_TIMEOUT_MS,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            LANG: process.env.LANG,
            DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
          },
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          if (error) {
            const why =
              (error as NodeJS.ErrnoException).code === 'ENOENT'
                ? 'is not found'
                : `failed (${error.killed ? `no answer within ${VERSION_TIMEOUT_MS} ms` : (stderr || error.message).trim().split('\n')[0]})`;
            return resolve({ ok: false, error: `${bin} --version ${why}; check DBT_BIN` });
          }
          const version = /installed:\s*([\w.+-]+)/.exec(stdout)?.[1] ?? stdout.trim().split('\n')[0];
          resolve({ ok: true, version });
        },
      );
    });
  }
}
