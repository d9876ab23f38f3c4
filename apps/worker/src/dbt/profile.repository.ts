import type { Pool } from 'pg';
import { quoteIdent } from '../staging/columns';

export interface CastFailure {
  column: string;
  type: string;
  count: number;
}

/** Reads the facts dbt built into warehouse.<dataset>__profile. */
export class ProfileRepository {
  constructor(private readonly warehouse: Pool) {}

  /** Columns with values that were there but did not cast to the column's type (NULL in the warehouse). */
  async castFailures(dataset: string): Promise<CastFailure[]> {
    const { rows } = await this.warehouse.query<{ column_name: string; column_type: string; cast_failures: string }>(
      `select column_name, column_type, cast_failures from warehouse.${quoteIdent(`${dataset}__profile`)} where cast_failures > 0 order by position`,
    );
    return rows.map((r) => ({ column: r.column_name, type: r.column_type, count: Number(r.cast_failures) }));
  }
}
