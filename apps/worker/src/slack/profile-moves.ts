/** One row of warehouse.<dataset>__profile, as pg returns it (counts and numbers as strings). */
export interface ProfileRow {
  column_name: string;
  column_type: string;
  row_count: string | number;
  null_count: string | number;
  distinct_count: string | number;
  min_number: string | null;
  max_number: string | null;
  min_date: string | null;
  max_date: string | null;
}

/** A null share that moved by more than this many percentage points is news. */
const NULL_SHARE_POINTS = 5;
/** A distinct count that at least doubled or halved (and moved by this many values) is news. */
const DISTINCT_MIN_DELTA = 10;

const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;

/**
 * What moved in the data since the previous run, column by column: null share
 * up or down by more than 5 points, a min or max outside the previous range,
 * a distinct count that doubled or halved. Columns new to this run are left to
 * the schema changes.
 */
export function profileMoves(previous: ProfileRow[], current: ProfileRow[]): string[] {
  const before = new Map(previous.map((p) => [p.column_name, p]));
  const moves: string[] = [];
  for (const now of current) {
    const then = before.get(now.column_name);
    if (!then || then.column_type !== now.column_type) continue;
    const share = (p: ProfileRow) => (Number(p.row_count) > 0 ? Number(p.null_count) / Number(p.row_count) : 0);
    const [was, is] = [share(then), share(now)];
    if (Math.abs(is - was) * 100 > NULL_SHARE_POINTS)
      moves.push(`${now.column_name}: nulls ${is > was ? 'up' : 'down'} from ${pct(was)} to ${pct(is)}`);

    const range = (min: string | null, max: string | null, numeric: boolean) => {
      if (min === null || max === null) return null;
      return numeric ? { min: Number(min), max: Number(max), show: [min, max] } : { min, max, show: [min, max] };
    };
    const numeric = now.min_number !== null || then.min_number !== null;
    const r0 = numeric ? range(then.min_number, then.max_number, true) : range(then.min_date, then.max_date, false);
    const r1 = numeric ? range(now.min_number, now.max_number, true) : range(now.min_date, now.max_date, false);
    if (r0 && r1) {
      if (r1.min < r0.min)
        moves.push(`${now.column_name}: min ${r1.show[0]} is below the previous range ${r0.show[0]} to ${r0.show[1]}`);
      if (r1.max > r0.max)
        moves.push(`${now.column_name}: max ${r1.show[1]} is above the previous range ${r0.show[0]} to ${r0.show[1]}`);
    }

    const [d0, d1] = [Number(then.distinct_count), Number(now.distinct_count)];
    if (Math.abs(d1 - d0) >= DISTINCT_MIN_DELTA && (d1 >= 2 * d0 || d1 * 2 <= d0))
      moves.push(`${now.column_name}: distinct values ${d1 > d0 ? 'up' : 'down'} from ${d0} to ${d1}`);
  }
  return moves;
}
