import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { benchChildEnv, type BenchServices } from './bench.services';
import type { LoadOutcome } from './bench.types';
import { errorLines, forkForReport } from './child.runner';

export const STAGING_SCHEMA = 'staging';

export interface StageJob {
  dataset: string;
  objectKey: string;
  sizeBytes: number;
}

export interface StageReport {
  ok: boolean;
  seconds: number;
  rows?: number;
  bytes?: number;
  error?: string;
  baselineRssBytes?: number;
  peakRssBytes: number;
  /** CPU time (user + system) the staging process spent in the step. */
  cpuSeconds?: number;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function dropStaged(services: BenchServices, dataset: string): Promise<void> {
  await services.admin.query(`drop table if exists ${ident(STAGING_SCHEMA)}.${ident(dataset)} cascade`);
  await services.admin.query(`drop table if exists ${ident(STAGING_SCHEMA)}.${ident(`${dataset}__rejects`)}`);
}

/** Rows the step set aside, if this build of it keeps a rejects table. */
async function countRejects(services: BenchServices, dataset: string): Promise<number | undefined> {
  const table = `${ident(STAGING_SCHEMA)}.${ident(`${dataset}__rejects`)}`;
  const { rows } = await services.admin.query<{ exists: boolean }>(`select to_regclass($1) is not null as exists`, [
    table,
  ]);
  if (!rows[0].exists) return undefined;
  const counted = await services.admin.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(counted.rows[0].n);
}

/**
 * Relayboard's stage step (stageCsv from the worker's build) in a child Node
 * process, timed inside the child around the call itself.
 */
export async function stageInChild(services: BenchServices, job: StageJob): Promise<LoadOutcome> {
  await dropStaged(services, job.dataset);
  await services.admin.query('checkpoint');
  const { report, code, signal, output } = await forkForReport<StageReport>(
    path.join(__dirname, 'stage.child.js'),
    benchChildEnv(services),
    job,
  );
  if (!report) {
    return {
      ok: false,
      seconds: 0,
      error: `the staging process ended (${code ?? signal}) without a result: ${errorLines(output)}`,
    };
  }
  const rejects = report.ok ? await countRejects(services, job.dataset) : undefined;
  await dropStaged(services, job.dataset);
  return report.ok
    ? {
        ok: true,
        seconds: report.seconds,
        rows: report.rows,
        rejects,
        peakRssBytes: report.peakRssBytes,
        baselineRssBytes: report.baselineRssBytes,
        cpuSeconds: report.cpuSeconds,
      }
    : {
        ok: false,
        seconds: report.seconds,
        error: report.error,
        peakRssBytes: report.peakRssBytes,
        baselineRssBytes: report.baselineRssBytes,
      };
}

/**
 * Only reading the object back from the S3 server, as the stage step does first
 * thing (this process's CPU time included; the server's is not): the part of
 * every stage run that psql \\copy of a local file does not pay.
 */
export async function readFromStore(
  services: BenchServices,
  objectKey: string,
  sizeBytes: number,
): Promise<LoadOutcome> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let bytes = 0;
  await pipeline(
    await services.store.getStream(objectKey),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (bytes !== sizeBytes) return { ok: false, seconds, error: `read ${bytes} bytes of ${sizeBytes}` };
  return { ok: true, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
