import {
  CHECK_KINDS,
  CHECK_SEVERITIES,
  isDateFormat,
  isUuid,
  isValidDatasetName,
  type CheckConfig,
  type CheckKind,
  type CheckSeverity,
} from '@relayboard/contracts';
import { quoteIdent, ROW_NUMBER_COLUMN, type StagedColumn } from '@relayboard/db';
import { COLUMN_TYPES } from '../staging/type-rules';

/** A data-quality check a person declared, as the generator needs it. */
export interface CheckInput {
  id: string;
  /** The dbt test's name, unique in the project. */
  name: string;
  kind: CheckKind;
  column: string | null;
  severity: CheckSeverity;
  config: CheckConfig;
}

export interface DatasetModelInput {
  id: string;
  name: string;
  columns: StagedColumn[];
  checks: CheckInput[];
  /** Check every cast, whatever the stage step saw: the run's fallback after a plain cast failed (see castIsChecked). */
  checkedCasts?: boolean;
}

/** A declared check left out of the project, and why (its column is gone, say). */
export interface SkippedCheck {
  dataset: string;
  check: string;
  reason: string;
}

/** A dataset whose files could not be generated at all, and why. */
export interface RefusedDataset {
  dataset: string;
  reason: string;
}

export interface ProjectFiles {
  /** Content by path relative to the dbt project. */
  files: Map<string, string>;
  skipped: SkippedCheck[];
  refused: RefusedDataset[];
}

/** Relayboard's generated area of the dbt project (git-ignored). */
export const GENERATED_DIR = 'models/relayboard';

/** Meta key on a check's test node: links dbt's results back to the declared check. */
export const CHECK_ID_META = 'relayboard_check_id';

/** The committed source (dbt/models/_relayboard_meta__sources.yml) whose tables hold text that models read as data. */
export const RELAYBOARD_META_SOURCE = 'relayboard_meta';

/**
 * Bumped whenever the generated files change shape, so files an older
 * Relayboard wrote for another dataset are replaced, not kept.
 */
export const GENERATOR_VERSION = 3;

const NUMBER_TYPES = new Set(['bigint', 'numeric']);
const DATE_TYPES = new Set(['date', 'timestamp', 'timestamptz']);

/**
 * Every piece of text in a generated file passes through here. dbt renders
 * model SQL, test arguments and descriptions as Jinja, so only plain
 * identifiers, ids and whole numbers may enter a file; text from a CSV or a
 * request (original headers, accepted values) never does: dbt reads it from
 * tables (see DbtDataRepository). Anything else is refused, and the dataset
 * is left out of the project instead of being written.
 */
const PLAIN = {
  dataset: (v: string) => isValidDatasetName(v),
  column: (v: string) => /^[a-z_][a-z0-9_]{0,62}$/.test(v),
  check: (v: string) => /^[a-z][a-z0-9_]{0,199}$/.test(v),
  // As PostgreSQL writes ids: lower case only.
  id: (v: string) => isUuid(v) && v === v.toLowerCase(),
  type: (v: string) => (COLUMN_TYPES as readonly string[]).includes(v),
  kind: (v: string) => (CHECK_KINDS as readonly string[]).includes(v),
  severity: (v: string) => (CHECK_SEVERITIES as readonly string[]).includes(v),
  /** A date format's date part (`dd/mm/yyyy`): one of DATE_PARTS, made only of letters and '/', '.', '-'. */
  datePart: (v: string) => isDateFormat(v) && !v.includes(' '),
  separator: (v: string) => Object.values(SEPARATOR_NAMES).includes(v),
} as const;

/** Number separators as the words relayboard_cast_input takes (a quote or a space in a Jinja literal is asking for trouble). */
const SEPARATOR_NAMES: Record<string, string> = {
  '': 'none',
  ',': 'comma',
  '.': 'point',
  ' ': 'space',
  "'": 'apostrophe',
};

export class UnsafeDbtTextError extends Error {
  constructor(
    readonly what: keyof typeof PLAIN,
    readonly value: unknown,
  ) {
    super(`its ${what} ${JSON.stringify(value)} is not a plain ${what} name, so it cannot be written into dbt files`);
    this.name = 'UnsafeDbtTextError';
  }
}

/** The one gate: returns the value when it is a plain name of its kind, else throws. */
export function plain(what: keyof typeof PLAIN, value: string): string {
  if (typeof value !== 'string' || !PLAIN[what](value)) throw new UnsafeDbtTextError(what, value);
  return value;
}

function wholeNumber(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new UnsafeDbtTextError('check', value);
  return String(value);
}

const quoted = (what: 'column', value: string) => quoteIdent(plain(what, value));

/**
 * The column argument of the cast macros: the quoted column, or, when the
 * column's decision reads markers as NULL or a date or number format, the
 * relayboard_cast_input call that rewrites its values first. Markers may be a
 * person's text (an override), so they enter the file only as code points.
 */
export function castInput(c: StagedColumn): string {
  const column = `'${quoted('column', c.name)}'`;
  const args = castInputArgs(c);
  return args.length ? `relayboard_cast_input(${column}, ${args.join(', ')})` : column;
}

/** The relayboard_cast_input arguments a column's decision asks for; none when its values are read as they are. */
function castInputArgs(c: StagedColumn): string[] {
  const d = c.decision;
  if (!d || c.type === 'text') return [];
  const args: string[] = [];
  const markers = d.nullMarkers
    .map((m) => [...m.marker.replace(/^ +| +$/g, '')].map((ch) => wholeNumber(ch.codePointAt(0)!)))
    .filter((codes) => codes.length > 0 && !codes.includes('0'));
  if (markers.length) args.push(`markers=[${markers.map((codes) => `[${codes.join(', ')}]`).join(', ')}]`);
  if (d.dateFormat) args.push(`date_part='${plain('datePart', d.dateFormat.split(' ')[0])}'`);
  if (d.numberFormat) {
    args.push(`decimal='${d.numberFormat.decimal === ',' ? 'comma' : 'point'}'`);
    args.push(`thousands='${plain('separator', SEPARATOR_NAMES[d.numberFormat.thousands] ?? '?')}'`);
  }
  return args;
}
/** A Jinja string literal of a plain name: nothing in it needs escaping. */
const jinja = (what: keyof typeof PLAIN, value: string) => `'${plain(what, value)}'`;
/** A YAML string of a plain name (JSON strings are YAML double-quoted scalars). */
const yaml = (what: keyof typeof PLAIN, value: string) => JSON.stringify(plain(what, value));

/** The first line of each of a dataset's files: which dataset and which generator wrote it. */
export function fileHeader(datasetId: string, comment: '#' | '--'): string {
  return `${comment} Generated by Relayboard (files v${GENERATOR_VERSION}) for dataset ${plain('id', datasetId)} from its metadata; edits are overwritten.`;
}

/**
 * The dataset's table in source `staging`. Each dataset declares its own (dbt merges
 * them into one source), so a dataset's folder is complete on its own.
 */
export function renderSources(d: DatasetModelInput): string {
  return [
    fileHeader(d.id, '#'),
    'version: 2',
    'sources:',
    '  - name: staging',
    '    schema: staging',
    '    tables:',
    `      - name: ${plain('dataset', d.name)}`,
    `        description: ${JSON.stringify(`Raw rows of dataset ${plain('dataset', d.name)}, as loaded by Relayboard`)}`,
    '',
  ].join('\n');
}

/**
 * Whether a column's cast checks each value (pg_input_is_valid, NULL when it
 * does not cast) or is a plain `::type`: plain only when the stage step's one
 * pass saw every value of this version fit this very type (verifiedType) and
 * no person's override chose it. A plain cast parses each value once instead
 * of twice (the 100 MB benchmark's warehouse table: 4.5 s against 7.2 s).
 */
export function castIsChecked(d: Pick<DatasetModelInput, 'checkedCasts'>, c: StagedColumn): boolean {
  return Boolean(d.checkedCasts) || c.verifiedType !== c.type || c.decision?.source === 'override';
}

/** The third argument of relayboard_safe_cast / relayboard_cast_fails for a column. */
const checkedArg = (d: DatasetModelInput, c: StagedColumn) => (castIsChecked(d, c) ? 'true' : 'false');

/**
 * The arguments of relayboard_safe_cast after the column: `checked`, and trim=false
 * for an unchecked cast of a column read as it is (no markers or formats, which
 * trim themselves) whose values the stage step saw without a space at either end
 * (verifiedTrimmed): btrim would change no value, and leaving it out made the
 * 100 MB benchmark's warehouse table 28% faster (docs/benchmarks.md).
 */
function safeCastArgs(d: DatasetModelInput, c: StagedColumn): string {
  const untrimmed = !castIsChecked(d, c) && c.verifiedTrimmed === true && castInputArgs(c).length === 0;
  return untrimmed ? 'false, trim=false' : checkedArg(d, c);
}

/** stg_<name>: a view that renames and safely casts the raw text columns; source -> renamed -> final. */
export function renderStagingModel(d: DatasetModelInput): string {
  const select = [
    `        ${quoteIdent(ROW_NUMBER_COLUMN)} as ${quoteIdent(ROW_NUMBER_COLUMN)}`,
    ...d.columns.map(
      (c) =>
        `        {{ relayboard_safe_cast(${castInput(c)}, ${jinja('type', c.type)}, ${safeCastArgs(d, c)}) }} as ${quoted('column', c.name)}`,
    ),
  ].join(',\n');
  return `${fileHeader(d.id, '--')}
{{ config(materialized='view') }}

with source as (
    select * from {{ source('staging', ${jinja('dataset', d.name)}) }}
),

renamed as (
    select
${select}
    from source
),

final as (
    select * from renamed
)

select * from final
`;
}

/** <name>: the warehouse table people query. */
export function renderMartModel(d: DatasetModelInput): string {
  return `${fileHeader(d.id, '--')}
{{ config(materialized='table') }}

select * from {{ ref('stg_${plain('dataset', d.name)}') }}
`;
}

/** What the profile's distinct counts may hold in memory together, split between them (PROFILE_SORT_MEMORY_MB). */
export const PROFILE_SORT_MEMORY_MB = 256;

/**
 * The profile's pre-hook: a work_mem for its distinct counts. Each one is a sort that
 * holds up to work_mem in memory before it spills to disk, and all of a profile's sorts
 * fill at once, so PROFILE_SORT_MEMORY_MB is split between the columns, at most 32 MB
 * each; at 4 MB or less (52 columns or more) PostgreSQL's default (4 MB) stays. The 100 MB
 * benchmark file's 14 sorts of about 12 MB each went from 2.48 s at 4 MB to 2.17 s at
 * 16 MB (docs/benchmarks.md); a small file's sorts use only what they need.
 */
export function profileWorkMem(columns: number): string {
  const mb = Math.min(32, Math.floor(PROFILE_SORT_MEMORY_MB / Math.max(1, columns)));
  return mb > 4 ? `, pre_hook="set local work_mem = '${mb}MB'"` : '';
}

/**
 * <name>__profile: one row per column with the facts the digest shows, and the
 * count of values that did not cast. It reads staging in one scan with the same
 * casts as stg_<name>, so a failing check on the warehouse table (which makes dbt
 * skip that table's children) still leaves the run its profile. The casts are
 * fenced off (offset 0) so PostgreSQL computes each once per value: inlined, the
 * planner copied a column's cast into each of its five aggregates. Aliases are
 * positional because column names may use all 63 bytes. The original headers
 * are joined in from source relayboard_meta.columns: they are text from the
 * file, so they are data in a table, never literals in this file.
 */
export function renderProfileModel(d: DatasetModelInput): string {
  const name = plain('dataset', d.name);
  const cast: string[] = [];
  const facts: string[] = ['        count(*) as row_count'];
  const rows: string[] = [];
  d.columns.forEach((c, index) => {
    const p = `c${index + 1}`;
    const col = castInput(c);
    const type = jinja('type', c.type);
    const isNumber = NUMBER_TYPES.has(c.type);
    const isDate = DATE_TYPES.has(c.type);
    cast.push(
      `        {{ relayboard_safe_cast(${col}, ${type}, ${safeCastArgs(d, c)}) }} as ${p}`,
      `        {{ relayboard_cast_fails(${col}, ${type}, ${checkedArg(d, c)}) }} as ${p}_fails`,
    );
    facts.push(
      `        count(*) filter (where ${p} is null) as ${p}_nulls`,
      `        {{ relayboard_distinct_count('${p}', ${type}) }} as ${p}_distinct`,
      `        count(*) filter (where ${p}_fails) as ${p}_cast_failures`,
    );
    if (isNumber)
      facts.push(
        `        min(${p})::numeric as ${p}_min_number`,
        `        max(${p})::numeric as ${p}_max_number`,
        `        avg(${p})::numeric as ${p}_avg_number`,
      );
    if (isDate) facts.push(`        min(${p})::text as ${p}_min_date`, `        max(${p})::text as ${p}_max_date`);
    rows.push(
      [
        '    select',
        `        ${index + 1} as position,`,
        `        '${plain('column', c.name)}'::text as column_name,`,
        `        '${plain('type', c.type)}'::text as column_type,`,
        '        row_count,',
        `        ${p}_nulls as null_count,`,
        `        ${p}_distinct as distinct_count,`,
        `        ${p}_cast_failures as cast_failures,`,
        `        ${isNumber ? `${p}_min_number` : 'null::numeric'} as min_number,`,
        `        ${isNumber ? `${p}_max_number` : 'null::numeric'} as max_number,`,
        `        ${isNumber ? `${p}_avg_number` : 'null::numeric'} as avg_number,`,
        `        ${isDate ? `${p}_min_date` : 'null::text'} as min_date,`,
        `        ${isDate ? `${p}_max_date` : 'null::text'} as max_date`,
        '    from facts',
      ].join('\n'),
    );
  });
  return `${fileHeader(d.id, '--')}
{{ config(materialized='table'${profileWorkMem(d.columns.length)}) }}

with source as (
    select * from {{ source('staging', '${name}') }}
),

headers as (
    select column_name, original_name from {{ source('${RELAYBOARD_META_SOURCE}', 'columns') }} where dataset = '${name}'
),

typed as (
    select
${cast.join(',\n')}
    from source
    -- Not pulled up into facts: each cast runs once per value, not once per aggregate that reads it.
    offset 0
),

facts as (
    select
${facts.join(',\n')}
    from typed
),

profiled as (
${rows.join('\n    union all\n')}
),

final as (
    select
        profiled.position,
        profiled.column_name,
        headers.original_name,
        profiled.column_type,
        profiled.row_count,
        profiled.null_count,
        profiled.distinct_count,
        profiled.cast_failures,
        profiled.min_number,
        profiled.max_number,
        profiled.avg_number,
        profiled.min_date,
        profiled.max_date
    from profiled
    left join headers on headers.column_name = profiled.column_name
)

select * from final
`;
}

/** Why a check cannot become a test against the current schemas, or null when it can. */
function checkProblem(check: CheckInput, d: DatasetModelInput, staged: Map<string, DatasetModelInput>): string | null {
  const has = (dataset: DatasetModelInput, column: string | undefined) =>
    column === ROW_NUMBER_COLUMN || dataset.columns.some((c) => c.name === column);
  if (check.column !== null && !has(d, check.column))
    return `column ${JSON.stringify(check.column)} is not in the current version of ${d.name}`;
  if (check.kind === 'relationships') {
    const target = staged.get(check.config.toDataset ?? '');
    if (!target)
      return `dataset ${JSON.stringify(check.config.toDataset)} has not been staged yet, or is out of the dbt project`;
    if (!has(target, check.config.toColumn))
      return `column ${JSON.stringify(check.config.toColumn)} is not in the current version of ${target.name}`;
  }
  return null;
}

/** The type of the column a check is on; _rb_row is the staging row number. */
function columnType(d: DatasetModelInput, column: string): string {
  return column === ROW_NUMBER_COLUMN ? 'bigint' : d.columns.find((c) => c.name === column)!.type;
}

/**
 * A check as a dbt data test, its list item starting at `indent`. Accepted
 * values are text from a request, so the test reads them from source
 * relayboard_meta.check_values by the check's id (dbt/macros/tests/relayboard_accepted_values.sql).
 */
function renderTest(check: CheckInput, d: DatasetModelInput, indent: string): string[] {
  const args: string[] = [];
  if (check.kind === 'accepted_values') {
    args.push(`check_id: ${yaml('id', check.id)}`, `column_type: ${yaml('type', columnType(d, check.column!))}`);
  }
  if (check.kind === 'relationships') {
    args.push(
      `to: "ref('${plain('dataset', check.config.toDataset ?? '')}')"`,
      `field: ${JSON.stringify(quoted('column', check.config.toColumn ?? ''))}`,
    );
  }
  if (check.kind === 'row_count') {
    if (check.config.min !== undefined) args.push(`min_rows: ${wholeNumber(check.config.min)}`);
    if (check.config.max !== undefined) args.push(`max_rows: ${wholeNumber(check.config.max)}`);
  }
  const tests: Record<CheckKind, string> = {
    not_null: 'not_null',
    unique: 'unique',
    accepted_values: 'relayboard_accepted_values',
    relationships: 'relationships',
    row_count: 'relayboard_row_count',
  };
  return [
    `${indent}- ${tests[plain('kind', check.kind) as CheckKind]}:`,
    `${indent}    name: ${yaml('check', check.name)}`,
    ...(args.length ? [`${indent}    arguments:`, ...args.map((a) => `${indent}      ${a}`)] : []),
    `${indent}    config:`,
    `${indent}      severity: ${plain('severity', check.severity)}`,
    `${indent}      meta: {${CHECK_ID_META}: ${yaml('id', check.id)}}`,
  ];
}

/**
 * Properties of the dataset's models; declared checks become data tests of the
 * warehouse table. Descriptions are rendered by dbt too, so they name columns
 * by position and type only; the original headers are in <name>__profile.
 */
export function renderSchemaYaml(d: DatasetModelInput, checks: CheckInput[] = []): string {
  const name = plain('dataset', d.name);
  const column = (columnName: string, description: string, builtIn: string[] = []) => {
    const tests = [
      ...builtIn.map((t) => `          - ${t}`),
      ...checks.filter((c) => c.column === columnName).flatMap((c) => renderTest(c, d, '          ')),
    ];
    return [
      `      - name: ${yaml('column', columnName)}`,
      // Quoted, so tests work on columns named like SQL keywords (order, user, ...).
      '        quote: true',
      `        description: ${JSON.stringify(description)}`,
      ...(tests.length ? ['        data_tests:', ...tests] : []),
    ];
  };
  const modelTests = checks.filter((c) => c.column === null).flatMap((c) => renderTest(c, d, '      '));
  return [
    fileHeader(d.id, '#'),
    'version: 2',
    'models:',
    `  - name: stg_${name}`,
    `    description: ${JSON.stringify(`Dataset ${name}, renamed and cast to its inferred types`)}`,
    `  - name: ${name}`,
    `    description: ${JSON.stringify(`Dataset ${name} in the warehouse; each column's original header is in ${name}__profile.original_name`)}`,
    ...(modelTests.length ? ['    data_tests:', ...modelTests] : []),
    '    columns:',
    ...column(ROW_NUMBER_COLUMN, 'Line of the record in the CSV body (1 = first row after the header)', [
      'not_null',
      'unique',
    ]),
    ...d.columns.flatMap((c, index) =>
      column(c.name, `Column ${index + 1} of the CSV, typed ${plain('type', c.type)}`),
    ),
    `  - name: ${name}__profile`,
    `    description: ${JSON.stringify(`Per-column facts of ${name}: nulls, distinct values, values that did not cast, ranges`)}`,
    '',
  ].join('\n');
}

/** The folder of a dataset's generated files, relative to the dbt project. */
export function datasetDir(dataset: string): string {
  return `${GENERATED_DIR}/${dataset}`;
}

/**
 * The datasets whose generated files dbt names in an error: it names a file by
 * its path in the project (models/relayboard/<dataset>/...) or, for yml, under
 * the model path (relayboard/<dataset>/...).
 */
export function generatedDatasetsIn(text: string): string[] {
  const folder = GENERATED_DIR.split('/').pop()!;
  const found = new Set<string>();
  for (const match of text.matchAll(
    new RegExp(`(?:^|[\\s('"/])${folder}/([a-z][a-z0-9_]{0,47})/[^\\s/]+\\.(?:sql|yml)\\b`, 'g'),
  )) {
    if (isValidDatasetName(match[1])) found.add(match[1]);
  }
  return [...found];
}

function renderDataset(d: DatasetModelInput, checks: CheckInput[]): Map<string, string> {
  const dir = datasetDir(plain('dataset', d.name));
  return new Map([
    [`${dir}/_${d.name}__sources.yml`, renderSources(d)],
    [`${dir}/stg_${d.name}.sql`, renderStagingModel(d)],
    [`${dir}/${d.name}.sql`, renderMartModel(d)],
    [`${dir}/${d.name}__profile.sql`, renderProfileModel(d)],
    [`${dir}/_${d.name}__models.yml`, renderSchemaYaml(d, checks)],
  ]);
}

/**
 * Files of the generated area, the declared checks that could not be included,
 * and the datasets that could not be written at all (their metadata holds
 * something other than plain names: never written, so never parsed).
 */
export function renderProjectFiles(datasets: DatasetModelInput[]): ProjectFiles {
  const files = new Map<string, string>();
  const skipped: SkippedCheck[] = [];
  const refused: RefusedDataset[] = [];
  const unsafe = (render: () => unknown): string | null => {
    try {
      render();
      return null;
    } catch (error) {
      if (error instanceof UnsafeDbtTextError) return error.message;
      throw error;
    }
  };
  const writable = datasets.filter((d) => {
    const problem = unsafe(() => renderDataset(d, []));
    if (problem) refused.push({ dataset: d.name, reason: `Relayboard cannot write its dbt files: ${problem}` });
    return problem === null;
  });
  // Only datasets that are written can be the target of a relationships check.
  const staged = new Map(writable.map((d) => [d.name, d]));
  for (const d of writable) {
    const checks = d.checks.filter((check) => {
      const problem = checkProblem(check, d, staged) ?? unsafe(() => renderTest(check, d, ''));
      if (problem) skipped.push({ dataset: d.name, check: check.name, reason: problem });
      return problem === null;
    });
    for (const [file, content] of renderDataset(d, checks)) files.set(file, content);
  }
  return { files, skipped, refused };
}
