import type { Client } from 'pg';
import { copyRows } from './board.seed';

const S = 'relayboard';

interface StagedColumn {
  name: string;
  originalName: string;
  type: string;
}

/** The name of the i-th extra dataset of `pnpm bench:dbt --datasets`. */
export const extraDatasetName = (i: number) => `bench_ds_${String(i).padStart(4, '0')}`;

/**
 * Registers datasets bench_ds_<from>..bench_ds_<to> the way the api and the stage
 * step leave them after a first run: a datasets row and a current version whose
 * staged columns vary (2 to all of the template's columns, rotated), copied in SQL
 * from the template dataset. Their dbt files are not written here: the worker writes
 * them from PostgreSQL on its next run, as for datasets another worker registered.
 * No staging table is made: only the template is ever built.
 */
export async function seedDatasets(pg: Client, template: string, from: number, to: number): Promise<void> {
  if (to < from) return;
  const { rows } = await pg.query<{ id: string; columns: StagedColumn[] }>(
    `select d.id, v.columns from ${S}.datasets d join ${S}.dataset_versions v on v.id = d.current_version_id where d.name = $1`,
    [template],
  );
  if (!rows.length || !rows[0].columns) throw new Error(`no staged template dataset ${template}`);
  const { id: templateId, columns } = rows[0];
  const names: string[] = [];
  const schemas: string[] = [];
  for (let i = from; i <= to; i++) {
    const count = 2 + (i % (columns.length - 1));
    const rotated = [...columns.slice(i % columns.length), ...columns.slice(0, i % columns.length)];
    names.push(extraDatasetName(i));
    schemas.push(JSON.stringify(rotated.slice(0, count)));
  }
  await pg.query('begin');
  try {
    await pg.query(
      `create temp table bench_new on commit drop as select * from unnest($1::text[], $2::jsonb[]) as t(name, columns)`,
      [names, schemas],
    );
    const byName = { template, nameExpr: 'ds.name' };
    await copyRows(
      pg,
      'datasets',
      `${S}.datasets src cross join bench_new ds where src.id = '${templateId}'`,
      { id: 'gen_random_uuid()', current_version_id: 'null', name: 'ds.name' },
      byName,
    );
    await copyRows(
      pg,
      'dataset_versions',
      `${S}.datasets src_d join ${S}.dataset_versions src on src.id = src_d.current_version_id join bench_new n on true join ${S}.datasets ds on ds.name = n.name where src_d.id = '${templateId}'`,
      { id: 'gen_random_uuid()', dataset_id: 'ds.id', fetched_by_run_id: 'null', columns: 'n.columns' },
      byName,
    );
    await pg.query(
      `update ${S}.datasets d set current_version_id = v.id from ${S}.dataset_versions v where v.dataset_id = d.id and d.name in (select name from bench_new)`,
    );
    await pg.query('commit');
  } catch (error) {
    await pg.query('rollback');
    throw error;
  }
}
