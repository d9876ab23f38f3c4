import type { PoolClient } from 'pg';
import { qualifiedName, quoteIdent, sqlString } from '@relayboard/db';

/** A view (or materialized view) over a staging table, as it is recreated after the table is swapped. */
export interface DependentView {
  schema: string;
  name: string;
  kind: 'view' | 'materialized view';
  /** Depth below the table: a view over a view over the table is 2. Recreated shallowest first. */
  depth: number;
  /** pg_get_viewdef with every name schema-qualified. */
  definition: string;
  /** WITH (...) options (security_barrier, check_option, ...). */
  options: string[] | null;
  comment: string | null;
  columnComments: { column: string; comment: string }[];
  /** Privileges granted on it to others: grantee ('PUBLIC' for public), privilege, grantable. */
  grants: { grantee: string; privilege: string; grantable: boolean }[];
  owner: string;
}

export interface RecreatedViews {
  /** schema.name of each view recreated over the new table. */
  kept: string[];
  /** Views whose definition no longer fits the new table (a removed column): dropped, and left for dbt to rebuild. */
  leftForDbt: { view: string; reason: string }[];
}

/**
 * The views that depend on the table, directly or through other views, with what
 * it takes to recreate them. Read inside the swap's transaction, before the drop.
 */
export async function captureDependentViews(
  client: PoolClient,
  schema: string,
  table: string,
): Promise<DependentView[]> {
  // With an empty search_path, pg_get_viewdef qualifies every relation and function it names.
  await client.query(`set local search_path = ''`);
  const { rows } = await client.query<{
    oid: number;
    schema: string;
    name: string;
    relkind: 'v' | 'm';
    depth: number;
    definition: string;
    options: string[] | null;
    comment: string | null;
    owner: string;
  }>(
    `with recursive deps(oid, depth) as (
        select r.ev_class, 1
          from pg_depend d join pg_rewrite r on r.oid = d.objid
         where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
           and d.refobjid = to_regclass($1) and r.ev_class <> d.refobjid
        union
        select r.ev_class, deps.depth + 1
          from deps join pg_depend d on d.refobjid = deps.oid and d.refclassid = 'pg_class'::regclass and d.classid = 'pg_rewrite'::regclass
          join pg_rewrite r on r.oid = d.objid
         where r.ev_class <> deps.oid and deps.depth < 64
      )
      select c.oid::int as oid, n.nspname as schema, c.relname as name, c.relkind, max(deps.depth)::int as depth,
             pg_get_viewdef(c.oid) as definition, c.reloptions as options,
             obj_description(c.oid, 'pg_class') as comment, pg_get_userbyid(c.relowner) as owner
        from deps join pg_class c on c.oid = deps.oid join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('v', 'm')
       group by c.oid, n.nspname, c.relname, c.relkind, c.reloptions, c.relowner
       order by depth, n.nspname, c.relname`,
    [qualifiedName(schema, table)],
  );
  const views: DependentView[] = [];
  for (const row of rows) {
    const columns = await client.query<{ column: string; comment: string }>(
      `select a.attname as column, col_description(a.attrelid, a.attnum) as comment
         from pg_attribute a where a.attrelid = $1::oid and a.attnum > 0 and not a.attisdropped and col_description(a.attrelid, a.attnum) is not null
        order by a.attnum`,
      [row.oid],
    );
    const grants = await client.query<{ grantee: string; privilege: string; grantable: boolean }>(
      `select case when g.grantee = 0 then 'PUBLIC' else pg_get_userbyid(g.grantee) end as grantee, g.privilege_type as privilege, g.is_grantable as grantable
         from pg_class c, aclexplode(c.relacl) g
        where c.oid = $1::oid and g.grantee <> c.relowner`,
      [row.oid],
    );
    views.push({
      schema: row.schema,
      name: row.name,
      kind: row.relkind === 'm' ? 'materialized view' : 'view',
      depth: row.depth,
      definition: row.definition.trim().replace(/;$/, ''),
      options: row.options,
      comment: row.comment,
      columnComments: columns.rows,
      grants: grants.rows,
      owner: row.owner,
    });
  }
  return views;
}

const role = (grantee: string) => (grantee === 'PUBLIC' ? 'public' : quoteIdent(grantee));

/**
 * Recreates the captured views, shallowest first, each under a savepoint: one whose
 * definition no longer fits (a column it selects is gone) is rolled back and left
 * for dbt to rebuild, and so are the views built on it.
 */
export async function recreateViews(client: PoolClient, views: DependentView[]): Promise<RecreatedViews> {
  const result: RecreatedViews = { kept: [], leftForDbt: [] };
  const { rows } = await client.query<{ user: string }>('select current_user as user');
  const me = rows[0].user;
  for (const view of views) {
    const name = qualifiedName(view.schema, view.name);
    await client.query('savepoint relayboard_view');
    try {
      const options = view.options?.length ? ` with (${view.options.join(', ')})` : '';
      await client.query(`create ${view.kind} ${name}${options} as ${view.definition}`);
      if (view.comment !== null) await client.query(`comment on ${view.kind} ${name} is ${sqlString(view.comment)}`);
      for (const c of view.columnComments)
        await client.query(`comment on column ${name}.${quoteIdent(c.column)} is ${sqlString(c.comment)}`);
      for (const g of view.grants) {
        await client.query(
          `grant ${g.privilege} on ${name} to ${role(g.grantee)}${g.grantable ? ' with grant option' : ''}`,
        );
      }
      if (view.owner !== me)
        await client.query(
          `alter ${view.kind === 'view' ? 'view' : 'materialized view'} ${name} owner to ${quoteIdent(view.owner)}`,
        );
      await client.query('release savepoint relayboard_view');
      result.kept.push(`${view.schema}.${view.name}`);
    } catch (error) {
      await client.query('rollback to savepoint relayboard_view');
      result.leftForDbt.push({ view: `${view.schema}.${view.name}`, reason: (error as Error).message });
    }
  }
  return result;
}
