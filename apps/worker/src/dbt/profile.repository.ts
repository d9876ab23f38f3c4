import type { Pool } from 'pg';
import { inTransaction, quoteIdent, ROW_NUMBER_COLUMN } from '@relayboard/db';

export interface CastFailure {
  column: string;
  type: string;
  count: number;
}

/** How long a query for a digest may take; a digest never waits on a slow warehouse for long. */
const DIGEST_QUERY_TIMEOUT = '5s';

function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Reads what dbt built in the warehouse (the profile, failing rows of tests, the first rows) and the rejects staging kept. */
export class ProfileRepository {
  constructor(private readonly warehouse: Pool) {}

  private read<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return inTransaction(
      this.warehouse,
      async (client) => {
        await client.query(`set local statement_timeout = '${DIGEST_QUERY_TIMEOUT}'`);
        return (await client.query<T>(sql, params)).rows;
      },
      'begin read only',
    );
  }

  /** warehouse.<dataset>__profile as dbt just built it, one row per column. */
  profile(dataset: string): Promise<Record<string, unknown>[]> {
    return this.read(`select * from warehouse.${quoteIdent(`${dataset}__profile`)} order by position`);
  }

  /** The first rows a failing test's query returns, each as "column=value, ..." (dbt's tests select the failing rows). */
  async failingRows(compiledSql: string, limit = 3): Promise<string[]> {
    const rows = await this.read(`select * from (${compiledSql.replace(/;\s*$/, '')}) as failing limit ${limit}`);
    return rows.map((row) =>
      Object.entries(row)
        .map(([k, v]) => `${k}=${cellText(v) ?? 'null'}`)
        .join(', '),
    );
  }

  /** The first rows of warehouse.<dataset> in file order, as text, without the row number. */
  async preview(dataset: string, limit: number): Promise<{ columns: string[]; rows: (string | null)[][] }> {
    const { fields, rows } = await this.warehouse.query({
      text: `select * from warehouse.${quoteIdent(dataset)} order by ${quoteIdent(ROW_NUMBER_COLUMN)} limit ${Math.max(0, Math.floor(limit))}`,
      rowMode: 'array',
    });
    const keep = fields.map((f, i) => (f.name === ROW_NUMBER_COLUMN ? -1 : i)).filter((i) => i >= 0);
    return {
      columns: keep.map((i) => fields[i].name),
      rows: (rows as unknown[][]).map((r) => keep.map((i) => cellText(r[i]))),
    };
  }

  /** The most frequent reasons rows were rejected, with the first line numbers of each. */
  async topRejects(
    dataset: string,
    reasons = 3,
    lines = 5,
  ): Promise<{ reason: string; count: number; lines: number[] }[]> {
    const rows = await this.read<{ reason: string; n: string; lines: string[] }>(
      `select reason, count(*) as n, (array_agg(line_number order by line_number))[1:${lines}] as lines
         from staging.${quoteIdent(`${dataset}__rejects`)} group by reason order by count(*) desc, reason limit ${reasons}`,
    );
    return rows.map((r) => ({ reason: r.reason, count: Number(r.n), lines: r.lines.map(Number) }));
  }

  /** Columns with values that were there but did not cast to the column's type (NULL in the warehouse). */
  async castFailures(dataset: string): Promise<CastFailure[]> {
    const { rows } = await this.warehouse.query<{ column_name: string; column_type: string; cast_failures: string }>(
      `select column_name, column_type, cast_failures from warehouse.${quoteIdent(`${dataset}__profile`)} where cast_failures > 0 order by position`,
    );
    return rows.map((r) => ({ column: r.column_name, type: r.column_type, count: Number(r.cast_failures) }));
  }
}
