import type { ClientBase } from 'pg';
import { quoteIdent } from './columns';
import { ANY_TYPE, typeFromMask, typeMaskSql, type ColumnType } from './type-rules';

/** Rows whose values rule types out before the full pass. */
const SAMPLE_ROWS = 1000;
/** Columns per query, to keep statements a reasonable size. */
const COLUMNS_PER_QUERY = 100;

interface MaskRow {
  [key: string]: string | number | null;
}

/** Per column, the AND of its values' masks and how many values it has, over the rows of `from`. */
async function masks(client: ClientBase, table: string, columns: string[], limit: number | null): Promise<{ mask: number; values: number }[]> {
  const result: { mask: number; values: number }[] = [];
  for (let start = 0; start < columns.length; start += COLUMNS_PER_QUERY) {
    const batch = columns.slice(start, start + COLUMNS_PER_QUERY);
    // Each value is trimmed once, in the subquery, then tested against the patterns.
    const trimmed = batch.map((name, i) => `btrim(${quoteIdent(name)}) as v${i}`).join(', ');
    const select = batch.flatMap((_, i) => [`bit_and(${typeMaskSql(`v${i}`)}) as m${i}`, `count(nullif(v${i}, '')) as n${i}`]).join(',\n  ');
    const { rows } = await client.query<MaskRow>(`select ${select} from (select ${trimmed} from ${table}${limit === null ? '' : ` limit ${limit}`}) as trimmed`);
    const row = rows[0];
    batch.forEach((_, i) => result.push({ mask: row[`m${i}`] === null ? ANY_TYPE : Number(row[`m${i}`]), values: Number(row[`n${i}`]) }));
  }
  return result;
}

/**
 * The type of every column of a staged table, judged on every value (see
 * type-rules.ts). A first query over a sample of rows finds the columns that are
 * already text (one value that fits no type is proof); one full pass then
 * checks the others.
 */
export async function inferColumnTypes(client: ClientBase, table: string, columns: string[]): Promise<ColumnType[]> {
  const types: ColumnType[] = columns.map(() => 'text');
  const sample = await masks(client, table, columns, SAMPLE_ROWS);
  const candidates = columns.filter((_, i) => sample[i].mask !== 0);
  if (candidates.length === 0) return types;
  const full = await masks(client, table, candidates, null);
  candidates.forEach((name, k) => {
    types[columns.indexOf(name)] = typeFromMask(full[k].mask, full[k].values);
  });
  return types;
}
