import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Run } from '@relayboard/contracts';
import { query, removeAllDestinations, uniqueName, uploadCsv, waitForRun } from '../helpers';
import { testStack } from '../stack-env';
import { FULL, requestRun, scale, table } from './helpers';

/**
 * Two datasets whose runs both select one shared mart (a person's model that refs
 * both datasets' models: `dbt build --select source:staging.<dataset>+` of either
 * run takes it in), triggered together again and again. dbt does not support two
 * builds of one model at once: no two runs' builds of the mart may overlap, shown
 * from dbt's own timings (run_results.json, kept per node in
 * relayboard.run_node_results.started_at/completed_at), and every run succeeds.
 *
 * Scale: RELAYBOARD_FAULTS=full (pnpm test:faults) triggers the pair 10 times; CI 3.
 */

const ROUNDS = scale(3, 10);
const ROWS = 200;

const csv = (tag: string) =>
  `id,name,city\n${Array.from({ length: ROWS }, (_, i) => `${i + 1},${tag} ${i + 1},city ${i % 5}`).join('\n')}\n`;

interface Build {
  runId: string;
  dataset: string;
  status: string;
  startedAt: Date;
  completedAt: Date;
}

describe(`two datasets sharing one mart, triggered together ${ROUNDS} times (${FULL ? 'full' : 'CI'} scale)`, () => {
  const a = uniqueName('shared_a');
  const b = uniqueName('shared_b');
  const mart = `${a}_with_b`;
  const file = () => path.join(testStack().dbtProjectDir, 'models', 'marts', `${mart}.sql`);

  beforeAll(async () => {
    // Other suites' destinations (slow or failing ones too) would get these runs; the digest is not what this suite is about.
    await removeAllDestinations();
    expect((await uploadCsv(a, csv('a'))).status).toBe(201);
    expect((await uploadCsv(b, csv('b'))).status).toBe(201);
    // Each dataset's models exist before the mart refs them.
    const firsts = await Promise.all([
      waitForRun(await requestRun(a, { force: true })),
      waitForRun(await requestRun(b, { force: true })),
    ]);
    expect(firsts.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    // A table that takes a second to build, so two builds of it at once could not slip past each other unseen.
    writeFileSync(
      file(),
      `select 'a' as source, count(*) as people from {{ ref('${a}') }} cross join (select pg_sleep(1)) as pause\nunion all\nselect 'b', count(*) from {{ ref('${b}') }}\n`,
    );
  }, 300_000);

  afterAll(() => rmSync(file(), { force: true }));

  it(
    "never builds the mart twice at once, and every run succeeds (dbt's run_results timings)",
    async () => {
      const runs: Run[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const ids = await Promise.all([requestRun(a, { force: true }), requestRun(b, { force: true })]);
        runs.push(...(await Promise.all(ids.map((id) => waitForRun(id, 240_000)))));
      }
      const builds = (
        await query<{ run_id: string; status: string; started_at: Date | null; completed_at: Date | null }>(
          `select run_id, status, started_at, completed_at from relayboard.run_node_results where name = $1 and kind = 'model' and run_id = any($2)`,
          [mart, runs.map((r) => r.id)],
        )
      ).map((row) => ({
        runId: row.run_id,
        dataset: runs.find((r) => r.id === row.run_id)!.datasetName,
        status: row.status,
        startedAt: row.started_at!,
        completedAt: row.completed_at!,
      })) satisfies Build[];
      builds.sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());

      // Every pair of builds whose [started_at, completed_at] intersect.
      const overlaps: string[] = [];
      for (const [i, x] of builds.entries()) {
        for (const y of builds.slice(i + 1)) {
          if (y.startedAt < x.completedAt)
            overlaps.push(
              `${x.runId} (${x.dataset}) ${x.startedAt.toISOString()}..${x.completedAt.toISOString()} and ${y.runId} (${y.dataset}) ${y.startedAt.toISOString()}..${y.completedAt.toISOString()}`,
            );
        }
      }
      const t0 = builds[0]?.startedAt.getTime() ?? 0;
      console.log(
        `[faults/shared-mart] ${ROUNDS} rounds (${FULL ? 'RELAYBOARD_FAULTS=full' : 'CI scale'}): ${runs.length} runs, ${builds.length} builds of ${mart}, ${overlaps.length} overlapping pair(s)\n${table(
          ['run', 'dataset', 'run status', 'mart', 'mart built (s after the first build)'],
          builds.map((x) => [
            x.runId,
            x.dataset === a ? 'a' : 'b',
            runs.find((r) => r.id === x.runId)!.status,
            x.status,
            `${((x.startedAt.getTime() - t0) / 1000).toFixed(2)}..${((x.completedAt.getTime() - t0) / 1000).toFixed(2)}`,
          ]),
        )}`,
      );

      expect({
        failedRuns: runs.filter((r) => r.status !== 'succeeded').map((r) => `${r.id}: ${r.error}`),
        overlaps,
      }).toEqual({ failedRuns: [], overlaps: [] });
      // Each run built the mart once, with dbt's timings recorded.
      expect(builds.map((x) => x.runId).sort()).toEqual(runs.map((r) => r.id).sort());
      expect(builds.every((x) => x.status === 'success' && x.startedAt <= x.completedAt)).toBe(true);
      expect(await query(`select source, people::int from warehouse."${mart}" order by source`)).toEqual([
        { source: 'a', people: ROWS },
        { source: 'b', people: ROWS },
      ]);
    },
    ROUNDS * 240_000,
  );
});
