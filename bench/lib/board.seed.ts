import type { Client } from 'pg';

/**
 * Grows an installation from one template dataset with real runs: the template's
 * rows (dataset, versions, checks, lineage; runs with their steps, events, dbt node
 * results and deliveries) are copied in SQL, so every copy has the shape the worker
 * writes, without running the pipeline 10,000 times. The column lists come from the
 * catalog, so the copy follows the migrations.
 */
export interface SeedPlan {
  /** The template dataset's name; its copies are bench_0001, bench_0002, ... */
  template: string;
  datasets: number;
  runs: number;
  /** Template run ids, cycled through: the i-th run of a copy repeats runPattern[i % length]. */
  runPattern: string[];
}

const S = 'relayboard';

interface Column {
  name: string;
  type: string;
  generated: boolean;
}

export async function columnsOf(pg: Client, table: string): Promise<Column[]> {
  const { rows } = await pg.query<{
    column_name: string;
    data_type: string;
    column_default: string | null;
    is_identity: string;
  }>(
    `select column_name, data_type, column_default, is_identity from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position`,
    [S, table],
  );
  return rows.map((r) => ({
    name: r.column_name,
    type: r.data_type,
    generated: r.is_identity === 'YES' || (r.column_default ?? '').startsWith('nextval('),
  }));
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * insert into <table> select ... from <from>: each column is `src.<column>` unless
 * `set` gives it an expression; serial columns take their defaults; text and json
 * columns have the template's name replaced by the copy's (`nameExpr`); timestamps
 * move by `shiftExpr` when given.
 */
export async function copyRows(
  pg: Client,
  table: string,
  from: string,
  set: Record<string, string>,
  names: { template: string; nameExpr: string },
  shiftExpr?: string,
): Promise<number> {
  const columns = (await columnsOf(pg, table)).filter((c) => !c.generated);
  const template = `'${names.template}'`;
  const exprs = columns.map((c) => {
    if (c.name in set) return set[c.name];
    const col = `src.${ident(c.name)}`;
    if (c.type === 'text' || c.type === 'character varying') return `replace(${col}, ${template}, ${names.nameExpr})`;
    if (c.type === 'jsonb') return `replace(${col}::text, ${template}, ${names.nameExpr})::jsonb`;
    if (shiftExpr && c.type === 'timestamp with time zone') return `${col} + ${shiftExpr}`;
    return col;
  });
  const result = await pg.query(
    `insert into ${S}.${table} (${columns.map((c) => ident(c.name)).join(', ')}) select ${exprs.join(', ')} from ${from}`,
  );
  return result.rowCount ?? 0;
}

export async function cloneTemplate(pg: Client, plan: SeedPlan): Promise<void> {
  const { rows } = await pg.query<{ id: string }>(`select id from ${S}.datasets where name = $1`, [plan.template]);
  if (!rows.length) throw new Error(`no template dataset ${plan.template}`);
  const templateId = rows[0].id;
  const names = { template: plan.template, nameExpr: 'ds.name' };
  const perDataset = Math.ceil(plan.runs / plan.datasets);

  await pg.query('begin');
  try {
    await copyRows(
      pg,
      'datasets',
      `${S}.datasets src cross join generate_series(1, ${plan.datasets}) g cross join lateral (select format('bench_%s', lpad(g::text, 4, '0')) as name) ds where src.id = '${templateId}'`,
      { id: 'gen_random_uuid()', current_version_id: 'null', created_at: `now() - g * interval '1 hour'` },
      names,
    );
    await pg.query(
      `create temp table bench_ds on commit drop as select id, name from ${S}.datasets where name ~ '^bench_[0-9]{4}$'`,
    );
    const ds = `bench_ds ds`;
    await copyRows(
      pg,
      'dataset_versions',
      `${S}.dataset_versions src cross join ${ds} where src.dataset_id = '${templateId}'`,
      { id: 'gen_random_uuid()', dataset_id: 'ds.id', fetched_by_run_id: 'null' },
      names,
    );
    await pg.query(
      `update ${S}.datasets d set current_version_id = (select v.id from ${S}.dataset_versions v where v.dataset_id = d.id order by v.fetched_at desc, v.id desc limit 1) where d.id in (select id from bench_ds)`,
    );
    await copyRows(
      pg,
      'dataset_checks',
      `${S}.dataset_checks src cross join ${ds} where src.dataset_id = '${templateId}'`,
      { id: 'gen_random_uuid()', dataset_id: 'ds.id' },
      names,
    );
    await copyRows(
      pg,
      'dataset_lineage',
      `${S}.dataset_lineage src cross join ${ds} where src.dataset_id = '${templateId}'`,
      { dataset_id: 'ds.id' },
      names,
    );

    // Which template each new run repeats, when it was created, and the copy's version with the same content.
    const pattern = `array[${plan.runPattern.map((id) => `'${id}'::uuid`).join(', ')}]`;
    await pg.query(`
      create temp table bench_runs on commit drop as
      select gen_random_uuid() as new_id, (${pattern})[1 + (n % ${plan.runPattern.length})] as tmpl_id, ds.id as dataset_id, ds.name,
             now() - interval '10 minutes' - (row_number() over (order by n, ds.name)) * (interval '30 days' / ${plan.runs}) as created
        from bench_ds ds cross join generate_series(0, ${perDataset - 1}) n
       limit ${plan.runs}`);
    await pg.query(`
      alter table bench_runs add column version_id uuid;
      update bench_runs r set version_id = (
        select v.id from ${S}.dataset_versions v
          join ${S}.dataset_versions tv on tv.sha256 = v.sha256
          join ${S}.runs t on t.dataset_version_id = tv.id and t.id = r.tmpl_id
         where v.dataset_id = r.dataset_id limit 1)`);
    const shift = '(ds.created - tr.created_at)';
    const runs = `bench_runs ds join ${S}.runs tr on tr.id = ds.tmpl_id`;
    await copyRows(
      pg,
      'runs',
      `${runs} join ${S}.runs src on src.id = ds.tmpl_id`,
      { id: 'ds.new_id', dataset_id: 'ds.dataset_id', dataset_version_id: 'ds.version_id', created_at: 'ds.created' },
      names,
      shift,
    );
    for (const child of ['run_steps', 'run_events', 'run_node_results', 'deliveries']) {
      const set: Record<string, string> = { run_id: 'ds.new_id' };
      const columns = await columnsOf(pg, child);
      if (columns.some((c) => c.name === 'id' && c.type === 'uuid')) set.id = 'gen_random_uuid()';
      // A test's result points at the copy's own check of the same name.
      if (columns.some((c) => c.name === 'check_id')) {
        set.check_id = `(select c.id from ${S}.dataset_checks c join ${S}.dataset_checks t on t.id = src.check_id where c.dataset_id = ds.dataset_id and c.name = replace(t.name, '${plan.template}', ds.name))`;
      }
      await copyRows(pg, child, `${runs} join ${S}.${child} src on src.run_id = ds.tmpl_id`, set, names, shift);
    }
    await pg.query('commit');
  } catch (error) {
    await pg.query('rollback');
    throw error;
  }
  await pg.query(`analyze`);
}
