import fc from 'fast-check';
import { normalizeColumns } from '../staging/columns';
import { COLUMN_TYPES } from '../staging/type-rules';
import {
  castInput,
  castIsChecked,
  generatedDatasetsIn,
  plain,
  profileWorkMem,
  renderProjectFiles,
  renderProfileModel,
  renderSchemaYaml,
  renderStagingModel,
  UnsafeDbtTextError,
  type CheckInput,
  type DatasetModelInput,
} from './dbt-files';

const ORDERS_ID = '0b7e3c1a-5d2f-4e8a-9c6b-1a2b3c4d5e6f';
const orders: DatasetModelInput = {
  id: ORDERS_ID,
  name: 'orders',
  columns: [
    { name: 'order_id', originalName: 'Order ID', type: 'bigint' },
    { name: 'ordered_at', originalName: 'Ordered at', type: 'date' },
    { name: 'note', originalName: 'Note', type: 'text' },
  ],
  checks: [],
};

const check = (over: Partial<CheckInput>): CheckInput => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'orders__not_null_order_id',
  kind: 'not_null',
  column: 'order_id',
  severity: 'error',
  config: {},
  ...over,
});

describe('dbt files', () => {
  it('renders one source, and a staging model, table, profile and yml per dataset', () => {
    const sut = renderProjectFiles([orders]);
    expect([...sut.files.keys()].sort()).toEqual([
      'models/relayboard/orders/_orders__models.yml',
      'models/relayboard/orders/_orders__sources.yml',
      'models/relayboard/orders/orders.sql',
      'models/relayboard/orders/orders__profile.sql',
      'models/relayboard/orders/stg_orders.sql',
    ]);
    expect(sut.files.get('models/relayboard/orders/_orders__sources.yml')).toContain(
      '  - name: staging\n    schema: staging\n    tables:\n      - name: orders\n',
    );
    expect(sut.files.get('models/relayboard/orders/orders.sql')).toContain("ref('stg_orders')");
    expect(sut.skipped).toEqual([]);
  });

  it('casts each column to its inferred type with the safe-cast macro, reading the staging source', () => {
    const sql = renderStagingModel(orders);
    expect(sql).toContain("source('staging', 'orders')");
    expect(sql).toContain('"_rb_row" as "_rb_row"');
    // No verifiedType on these columns: the casts check each value (checked=true).
    expect(sql).toContain(`{{ relayboard_safe_cast('"order_id"', 'bigint', true) }} as "order_id"`);
    expect(sql).toContain(`{{ relayboard_safe_cast('"note"', 'text', true) }} as "note"`);
    expect(sql).toMatch(/with source as[\s\S]*renamed as[\s\S]*final as/);
  });

  it('casts plainly only a column whose every value the stage step saw fit this very type, and no override chose', () => {
    const [id, at, note] = orders.columns;
    const d = {
      ...orders,
      columns: [
        { ...id, verifiedType: 'bigint' },
        // A type set after inference (by hand, as the dbt spec does) no longer matches what the tally verified.
        { ...at, verifiedType: 'timestamp' },
        {
          ...note,
          type: 'numeric',
          verifiedType: 'numeric',
          decision: { nullMarkers: [], dateFormat: null, numberFormat: null, source: 'override' as const, note: null },
        },
      ],
    };
    expect(d.columns.map((c) => castIsChecked(d, c))).toEqual([false, true, true]);
    expect(renderStagingModel(d)).toContain(`{{ relayboard_safe_cast('"order_id"', 'bigint', false) }} as "order_id"`);
    expect(renderProfileModel(d)).toContain(`{{ relayboard_cast_fails('"order_id"', 'bigint', false) }} as c1_fails`);
    // The run's fallback after a plain cast failed: every cast checked.
    const checked = { ...d, checkedCasts: true };
    expect(checked.columns.map((c) => castIsChecked(checked, c))).toEqual([true, true, true]);
    expect(renderStagingModel(checked)).toContain(`{{ relayboard_safe_cast('"order_id"', 'bigint', true) }}`);
  });

  it('leaves out the trim only where the stage step saw no value with a space at either end, and the cast is plain and reads the column as it is', () => {
    const [id, at, note] = orders.columns;
    const d = {
      ...orders,
      columns: [
        { ...id, verifiedType: 'bigint', verifiedTrimmed: true },
        { ...at, type: 'timestamp', verifiedType: 'timestamp' },
        {
          ...note,
          type: 'numeric',
          verifiedType: 'numeric',
          verifiedTrimmed: true,
          decision: {
            nullMarkers: [{ marker: 'N/A', count: 2 }],
            dateFormat: null,
            numberFormat: null,
            source: 'inferred' as const,
            note: null,
          },
        },
      ],
    };
    const staging = renderStagingModel(d);
    const profile = renderProfileModel(d);
    for (const sql of [staging, profile])
      expect(sql).toContain(`{{ relayboard_safe_cast('"order_id"', 'bigint', false, trim=false) }}`);
    // Padded values seen (no verifiedTrimmed): trimmed as before.
    expect(staging).toContain(`{{ relayboard_safe_cast('"ordered_at"', 'timestamp', false) }}`);
    // Markers are matched after trimming, so that input keeps its own btrim and the cast its argument list.
    expect(staging).toMatch(
      /relayboard_safe_cast\(relayboard_cast_input\('"note"', markers=\[\[78, 47, 65\]\]\), 'numeric', false\)/,
    );
    // The fail counter has no trim argument, and the run's checked fallback trims every value.
    expect(profile).toContain(`{{ relayboard_cast_fails('"order_id"', 'bigint', false) }} as c1_fails`);
    expect(renderStagingModel({ ...d, checkedCasts: true })).toContain(
      `{{ relayboard_safe_cast('"order_id"', 'bigint', true) }}`,
    );
  });

  it("splits the profile's sort memory between its columns, and leaves PostgreSQL's default (4 MB) once the share is no more", () => {
    expect(profileWorkMem(3)).toBe(`, pre_hook="set local work_mem = '32MB'"`);
    expect(profileWorkMem(14)).toBe(`, pre_hook="set local work_mem = '18MB'"`);
    expect(profileWorkMem(51)).toBe(`, pre_hook="set local work_mem = '5MB'"`);
    expect(profileWorkMem(52)).toBe('');
    expect(profileWorkMem(64)).toBe('');
    expect(profileWorkMem(400)).toBe('');
    expect(renderProfileModel(orders)).toContain(
      `{{ config(materialized='table', pre_hook="set local work_mem = '32MB'") }}`,
    );
  });

  it('counts distinct values with the macro that sorts hashes of slow-to-compare types', () => {
    const sql = renderProfileModel(orders);
    expect(sql).toContain(`{{ relayboard_distinct_count('c1', 'bigint') }} as c1_distinct`);
    expect(sql).toContain(`{{ relayboard_distinct_count('c3', 'text') }} as c3_distinct`);
    expect(sql).not.toContain('count(distinct');
  });

  it('profiles every column from staging: nulls, distinct values, cast failures, number and date ranges', () => {
    const sql = renderProfileModel(orders);
    expect(sql).toContain("source('staging', 'orders')");
    expect(sql).toContain(`{{ relayboard_cast_fails('"order_id"', 'bigint', true) }} as c1_fails`);
    expect(sql).toContain('count(*) filter (where c1_fails) as c1_cast_failures');
    expect(sql).toContain('avg(c1)::numeric as c1_avg_number');
    expect(sql).toContain('min(c2)::text as c2_min_date');
    expect(sql).not.toContain('c3_min_number');
    expect(sql.match(/union all/g)).toHaveLength(2);
  });

  it("fences the profile's casts off (offset 0), so PostgreSQL casts each value once rather than once per aggregate", () => {
    const sql = renderProfileModel(orders);
    expect(sql).toMatch(/typed as \(\n[\s\S]*?\n {4}from source\n(?: {4}--[^\n]*\n)? {4}offset 0\n\),\n\nfacts as/);
    // The aggregates read the fenced CTE, not staging again.
    expect(sql.match(/from source\b/g)).toHaveLength(1);
  });

  it('reads original headers from source relayboard_meta.columns instead of writing them into the profile', () => {
    const sql = renderProfileModel({
      ...orders,
      columns: [{ name: 'a', originalName: "it's {{ 7*191 }}", type: 'text' }],
    });
    expect(sql).toContain(
      "select column_name, original_name from {{ source('relayboard_meta', 'columns') }} where dataset = 'orders'",
    );
    expect(sql).toContain("'a'::text as column_name");
    expect(sql).not.toContain('7*191');
    expect(sql).not.toContain("it's");
  });

  it('describes columns by position and type only: dbt renders descriptions as Jinja', () => {
    const yml = renderSchemaYaml({
      ...orders,
      columns: [{ name: 'a', originalName: 'say "hi": {{ 7*191 }}', type: 'text' }],
    });
    expect(yml).toContain('description: "Column 1 of the CSV, typed text"');
    expect(yml).not.toContain('hi');
  });

  it("starts every file with the dataset's id and the generator version", () => {
    for (const [file, content] of renderProjectFiles([orders]).files) {
      const comment = file.endsWith('.yml') ? '#' : '--';
      expect(content.split('\n')[0]).toBe(
        `${comment} Generated by Relayboard (files v3) for dataset ${ORDERS_ID} from its metadata; edits are overwritten.`,
      );
    }
  });

  it('turns declared checks into named dbt tests carrying the check id', () => {
    const yml = renderSchemaYaml(orders, [
      check({}),
      check({
        id: '00000000-0000-4000-8000-000000000002',
        name: 'orders__accepted_values_note',
        kind: 'accepted_values',
        column: 'note',
        severity: 'warn',
        config: { values: ['a', "b'c"] },
      }),
      check({
        id: '00000000-0000-4000-8000-000000000003',
        name: 'orders__row_count',
        kind: 'row_count',
        column: null,
        config: { min: 1, max: 10 },
      }),
      check({
        id: '00000000-0000-4000-8000-000000000004',
        name: 'orders__relationships_order_id_to_ids',
        kind: 'relationships',
        config: { toDataset: 'ids', toColumn: 'id' },
      }),
    ]);
    expect(yml).toContain(
      [
        '          - not_null:',
        '              name: "orders__not_null_order_id"',
        '              config:',
        '                severity: error',
        '                meta: {relayboard_check_id: "00000000-0000-4000-8000-000000000001"}',
      ].join('\n'),
    );
    expect(yml).toContain(
      [
        '          - relayboard_accepted_values:',
        '              name: "orders__accepted_values_note"',
        '              arguments:',
        '                check_id: "00000000-0000-4000-8000-000000000002"',
        '                column_type: "text"',
      ].join('\n'),
    );
    expect(yml).not.toContain("b'c");
    expect(yml).toContain('                severity: warn');
    expect(yml).toContain(
      [
        '    data_tests:',
        '      - relayboard_row_count:',
        '          name: "orders__row_count"',
        '          arguments:',
        '            min_rows: 1',
        '            max_rows: 10',
      ].join('\n'),
    );
    expect(yml).toContain(`                to: "ref('ids')"\n                field: "\\"id\\""`);
  });

  it('leaves out checks whose column or target is not there, saying why', () => {
    const ids: DatasetModelInput = {
      id: '9f1c2b9e-8a61-4c1b-9b1e-1f2d3c4b5a69',
      name: 'ids',
      columns: [{ name: 'id', originalName: 'id', type: 'bigint' }],
      checks: [],
    };
    const sut = renderProjectFiles([
      {
        ...orders,
        checks: [
          check({ name: 'orders__unique_gone', kind: 'unique', column: 'gone' }),
          check({
            name: 'orders__relationships_order_id_to_nope',
            kind: 'relationships',
            config: { toDataset: 'nope', toColumn: 'id' },
          }),
          check({
            name: 'orders__relationships_order_id_to_ids',
            kind: 'relationships',
            config: { toDataset: 'ids', toColumn: 'missing' },
          }),
          check({}),
        ],
      },
      ids,
    ]);
    expect(sut.skipped).toEqual([
      {
        dataset: 'orders',
        check: 'orders__unique_gone',
        reason: 'column "gone" is not in the current version of orders',
      },
      {
        dataset: 'orders',
        check: 'orders__relationships_order_id_to_nope',
        reason: 'dataset "nope" has not been staged yet, or is out of the dbt project',
      },
      {
        dataset: 'orders',
        check: 'orders__relationships_order_id_to_ids',
        reason: 'column "missing" is not in the current version of ids',
      },
    ]);
    const yml = sut.files.get('models/relayboard/orders/_orders__models.yml')!;
    expect(yml).toContain('orders__not_null_order_id');
    expect(yml).not.toContain('orders__unique_gone');
  });

  it('refuses a dataset whose metadata holds anything but plain names, and writes none of its files', () => {
    const hostile = {
      ...orders,
      id: '1b7e3c1a-5d2f-4e8a-9c6b-1a2b3c4d5e6f',
      name: 'hostile',
      columns: [{ name: "x') }}{{ 7*191 }}", originalName: 'x', type: 'text' }],
    };
    const oddType = {
      ...orders,
      id: '2b7e3c1a-5d2f-4e8a-9c6b-1a2b3c4d5e6f',
      name: 'odd',
      columns: [{ name: 'x', originalName: 'x', type: "text') }}" }],
    };
    const sut = renderProjectFiles([orders, hostile, oddType]);
    expect(sut.refused).toEqual([
      {
        dataset: 'hostile',
        reason: `Relayboard cannot write its dbt files: its column "x') }}{{ 7*191 }}" is not a plain column name, so it cannot be written into dbt files`,
      },
      {
        dataset: 'odd',
        reason: `Relayboard cannot write its dbt files: its type "text') }}" is not a plain type name, so it cannot be written into dbt files`,
      },
    ]);
    expect([...sut.files.keys()].every((f) => f.startsWith('models/relayboard/orders/'))).toBe(true);
  });

  it('leaves out a relationships check whose target dataset is not written', () => {
    const refusedTarget = {
      ...orders,
      id: '3b7e3c1a-5d2f-4e8a-9c6b-1a2b3c4d5e6f',
      name: 'ids',
      columns: [{ name: 'id', originalName: 'id', type: 'no-such-type' }],
    };
    const sut = renderProjectFiles([
      {
        ...orders,
        checks: [
          check({
            name: 'orders__relationships_order_id_to_ids',
            kind: 'relationships',
            config: { toDataset: 'ids', toColumn: 'id' },
          }),
        ],
      },
      refusedTarget,
    ]);
    expect(sut.refused.map((r) => r.dataset)).toEqual(['ids']);
    expect(sut.skipped).toEqual([
      {
        dataset: 'orders',
        check: 'orders__relationships_order_id_to_ids',
        reason: 'dataset "ids" has not been staged yet, or is out of the dbt project',
      },
    ]);
    expect(sut.files.get('models/relayboard/orders/_orders__models.yml')).not.toContain("ref('ids')");
  });

  it('leaves out a check whose stored values are not plain (a name, a bound), saying why', () => {
    const sut = renderProjectFiles([
      {
        ...orders,
        checks: [
          check({ name: 'orders__row_count', kind: 'row_count', column: null, config: { min: 1.5 } }),
          check({ name: 'Bad Name' }),
        ],
      },
    ]);
    expect(sut.skipped.map((s) => s.check)).toEqual(['orders__row_count', 'Bad Name']);
    expect(sut.files.get('models/relayboard/orders/_orders__models.yml')).not.toContain('Bad Name');
  });

  it('names the datasets whose generated files dbt could not parse', () => {
    expect(
      generatedDatasetsIn("Compilation Error in model bb (models/relayboard/bb/bb.sql)\n  unexpected '}'"),
    ).toEqual(['bb']);
    expect(
      generatedDatasetsIn(
        'Parsing Error\n  Error reading relayboard: relayboard/aa_1/_aa_1__models.yml - Runtime Error',
      ),
    ).toEqual(['aa_1']);
    expect(
      generatedDatasetsIn(
        "Model 'model.relayboard.m' (models/marts/m.sql) depends on a node named 'orders' which was not found",
      ),
    ).toEqual([]);
  });
});

/** Text from a file or a request, biased towards what breaks templates and SQL. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(
      fc.constantFrom(
        '{{',
        '}}',
        '{%',
        '%}',
        '{#',
        '#}',
        '{% raw %}',
        '{% endraw %}',
        "'",
        '"',
        '\\',
        '$$',
        '\n',
        '\r\n',
        '--',
        ';',
        'env_var(',
        'run_query(',
        ')',
        '7*191',
        'é',
        '名',
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
);

const datasetWithText = fc
  .record({
    headers: fc.uniqueArray(hostileText, { minLength: 1, maxLength: 8 }),
    types: fc.array(fc.constantFrom(...COLUMN_TYPES), { minLength: 8, maxLength: 8 }),
    values: fc.array(hostileText, { minLength: 1, maxLength: 6 }),
  })
  .map(({ headers, types, values }): DatasetModelInput => {
    const columns = normalizeColumns(headers).map((c, i) => ({ ...c, type: types[i] }));
    return {
      id: ORDERS_ID,
      name: 'orders',
      columns,
      checks: [
        check({
          id: '00000000-0000-4000-8000-000000000009',
          name: `orders__accepted_values_${columns[0].name}`,
          kind: 'accepted_values',
          column: columns[0].name,
          config: { values },
        }),
      ],
    };
  });

describe('text from files and requests in the dbt project', () => {
  it('never reaches a generated file: the files are the same whatever the headers and accepted values say', () => {
    fc.assert(
      fc.property(datasetWithText, (d) => {
        const blank = {
          ...d,
          columns: d.columns.map((c) => ({ ...c, originalName: 'x' })),
          checks: d.checks.map((c) => ({ ...c, config: { values: ['x'] } })),
        };
        const sut = renderProjectFiles([d]);
        expect(sut.refused).toEqual([]);
        expect(sut.skipped).toEqual([]);
        expect(sut.files).toEqual(renderProjectFiles([blank]).files);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves only the generator's own Jinja in the files, around plain names", () => {
    const own = [
      /\{\{ config\(materialized='(view|table)'(, pre_hook="set local work_mem = '[0-9]+MB'")?\) \}\}/g,
      /\{\{ source\('(staging|relayboard_meta)', '[a-z0-9_]+'\) \}\}/g,
      /\{\{ ref\('[a-z0-9_]+'\) \}\}/g,
      /\{\{ relayboard_(safe_cast|cast_fails)\('"[a-z0-9_]+"', '[a-z]+', (true|false)(, trim=false)?\) \}\}/g,
      /\{\{ relayboard_distinct_count\('c[0-9]+', '[a-z]+'\) \}\}/g,
    ];
    fc.assert(
      fc.property(datasetWithText, (d) => {
        for (const content of renderProjectFiles([d]).files.values()) {
          const rest = own.reduce((text, pattern) => text.replace(pattern, ''), content);
          expect(rest).not.toMatch(/\{\{|\}\}|\{%|%\}|\{#|#\}/);
          expect(rest).toMatch(/^[\x20-\x7e\n]*$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('normalizes any header to a column name that passes the gate', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hostileText, { minLength: 1, maxLength: 10 }), (headers) => {
        for (const c of normalizeColumns(headers)) expect(plain('column', c.name)).toBe(c.name);
      }),
    );
  });

  it('lets nothing but plain names through the gate', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        fc.pre(!/^[a-z_][a-z0-9_]{0,62}$/.test(text));
        expect(() => plain('column', text)).toThrow(UnsafeDbtTextError);
        expect(() => plain('dataset', text)).toThrow(UnsafeDbtTextError);
      }),
    );
  });
});

describe('column decisions in the casts (issue #15)', () => {
  const decision = (over: Partial<NonNullable<DatasetModelInput['columns'][number]['decision']>>) => ({
    nullMarkers: [],
    dateFormat: null,
    numberFormat: null,
    source: 'inferred' as const,
    note: null,
    ...over,
  });
  const CALL =
    /^relayboard_cast_input\('"[a-z0-9_]+"'(, markers=\[\[[0-9]+(, [0-9]+)*\](, \[[0-9]+(, [0-9]+)*\])*\])?(, date_part='[a-z/.-]+')?(, decimal='(comma|point)', thousands='(none|comma|point|space|apostrophe)')?\)$/;

  it('wraps a column whose decision reads markers, a date format or a number format, in both casts', () => {
    const d: DatasetModelInput = {
      ...orders,
      columns: [
        { ...orders.columns[0], decision: decision({ nullMarkers: [{ marker: 'NA', count: 3 }] }) },
        { ...orders.columns[1], decision: decision({ dateFormat: 'dd/mm/yyyy hh12:mi:ss am' }) },
        {
          name: 'amount',
          originalName: 'Amount',
          type: 'numeric',
          decision: decision({ numberFormat: { decimal: ',', thousands: '.' } }),
        },
        { ...orders.columns[2], decision: decision({ note: 'stays text' }) },
      ],
    };
    expect(d.columns.map(castInput)).toEqual([
      `relayboard_cast_input('"order_id"', markers=[[78, 65]])`,
      `relayboard_cast_input('"ordered_at"', date_part='dd/mm/yyyy')`,
      `relayboard_cast_input('"amount"', decimal='comma', thousands='point')`,
      `'"note"'`,
    ]);
    expect(renderStagingModel(d)).toContain(
      `{{ relayboard_safe_cast(relayboard_cast_input('"order_id"', markers=[[78, 65]]), 'bigint', true) }} as "order_id"`,
    );
    const profile = renderProfileModel(d);
    expect(profile).toContain(
      `{{ relayboard_cast_fails(relayboard_cast_input('"amount"', decimal='comma', thousands='point'), 'numeric', true) }}`,
    );
  });

  it("writes a person's markers only as code points, whatever they hold", () => {
    const hostile = [
      "'}}{{ run_query('drop schema warehouse') }}",
      "'; drop table x; --",
      '{% raw %}',
      '#}{#',
      '日本 😀',
      ' NA ',
    ];
    const input = castInput({
      name: 'x',
      originalName: 'x',
      type: 'bigint',
      decision: decision({ nullMarkers: hostile.map((marker) => ({ marker, count: 1 })), source: 'override' }),
    });
    expect(input).toMatch(CALL);
    expect(input).toContain('[78, 65]');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 32 }), { minLength: 1, maxLength: 32 }),
        (markers) => {
          const out = castInput({
            name: 'x',
            originalName: 'x',
            type: 'numeric',
            decision: decision({
              nullMarkers: markers.map((marker) => ({ marker, count: 1 })),
              numberFormat: { decimal: '.', thousands: "'" },
            }),
          });
          expect(out).toMatch(CALL);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a dataset whose decision holds a date format that is not one of the formats', () => {
    const d: DatasetModelInput = {
      ...orders,
      columns: [{ ...orders.columns[1], decision: decision({ dateFormat: "dd/mm/yyyy') }}{{ x" }) }],
    };
    const sut = renderProjectFiles([d]);
    expect(sut.files.size).toBe(0);
    expect(sut.refused[0].reason).toContain('is not a plain datePart name');
  });
});
