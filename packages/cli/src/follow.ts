import { SingleBar } from 'cli-progress';
import type { Run } from '@relayboard/contracts';
import type { ApiClient } from './client';
import { bytes, count, duration, newlyEnded, stageProgress, stepLine } from './format';

const FINAL = new Set(['succeeded', 'failed', 'canceled', 'skipped']);

export interface FollowOptions {
  out: NodeJS.WriteStream;
  /** How often the run is read again. */
  intervalMs?: number;
  /** Gives up (exit 1) after this long; the run itself goes on. */
  timeoutMs?: number;
}

/**
 * Follows a run until it ends: a progress bar of bytes and rows while it stages
 * (redrawn in place on a terminal, a line every 2 s otherwise), each step as it
 * finishes, and the outcome. Resolves with the run as it ended.
 */
export async function followRun(
  client: ApiClient,
  runId: string,
  { out, intervalMs = 500, timeoutMs = 6 * 3600_000 }: FollowOptions,
): Promise<Run> {
  const seen = new Set<string>();
  let bar: SingleBar | null = null;
  let barPass = 0;
  let lastStatus = '';
  let lastWaiting = '';
  const deadline = Date.now() + timeoutMs;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  try {
    for (;;) {
      const { body: run } = await client.request<Run>('GET', `/v1/runs/${encodeURIComponent(runId)}`);
      if (run.status !== lastStatus && run.status !== 'queued' && !FINAL.has(run.status))
        out.write(`run ${run.id} ${run.status}\n`);
      lastStatus = run.status;
      const waiting = run.waitingFor?.reason ?? '';
      if (waiting && waiting !== lastWaiting) out.write(`  waiting: ${waiting}\n`);
      lastWaiting = waiting;

      const progress = stageProgress(run.steps.find((s) => s.name === 'stage'));
      if (progress) {
        if (!bar || progress.pass !== barPass) {
          stopBar();
          barPass = progress.pass;
          bar = new SingleBar({
            stream: out,
            format: `  stage      {bar} {percentage}% | {done} of {total} | {rows} rows${progress.pass > 1 ? ` (pass ${progress.pass})` : ''}`,
            hideCursor: false,
            noTTYOutput: true,
            notTTYSchedule: 2000,
            barsize: 24,
          });
          bar.start(Math.max(progress.bytesTotal, 1), 0, {
            done: bytes(0),
            total: bytes(progress.bytesTotal),
            rows: '0',
          });
        }
        bar.update(Math.min(progress.bytesDone, Math.max(progress.bytesTotal, 1)), {
          done: bytes(progress.bytesDone),
          total: bytes(progress.bytesTotal),
          rows: count(progress.rowsDone),
        });
      }
      const ended = newlyEnded(run.steps, seen);
      if (ended.length) stopBar();
      for (const step of ended) {
        seen.add(step.name);
        out.write(`${stepLine(step, { deliveryStatus: run.deliveryStatus })}\n`);
      }
      if (FINAL.has(run.status)) {
        stopBar();
        const took =
          run.startedAt && run.finishedAt
            ? ` in ${duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))}`
            : '';
        const rows = run.rows !== null ? `: ${count(run.rows)} rows` : '';
        out.write(
          `run ${run.id} of ${run.datasetName} ${run.status}${took}${run.status === 'succeeded' ? rows : ''}${run.error ? `: ${run.error}` : ''}\n`,
        );
        return run;
      }
      if (Date.now() > deadline)
        throw new Error(
          `run ${runId} is still ${run.status} after ${duration(timeoutMs)}; it goes on: follow it with relayboard runs show ${runId}`,
        );
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    stopBar();
  }
}
