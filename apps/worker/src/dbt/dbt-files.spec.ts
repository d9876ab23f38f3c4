import { renderProjectFiles, renderProfileModel, renderSchemaYaml, renderStagingModel, type CheckInput, type DatasetModelInput } from './dbt-files';

const orders: DatasetModelInput = {
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
    expect(sut.files.get('models/relayboard/orders/_orders__sources.yml')).toContain('  - name: staging\n    schema: staging\n    tables:\n      - name: orders\n');
    expect(sut.files.get('models/relayboard/orders/orders.sql')).toContain("ref('stg_orders')");
    expect(sut.skipped).toEqual([]);
  });

  it('casts each column to its inferred type with the safe-cast macro, reading the staging source', () => {
    const sql = renderStagingModel(orders);
    expect(sql).toContain("source('staging', 'orders')");
    expect(sql).toContain('"_rb_row" as "_rb_row"');
    expect(sql).toContain(`{{ relayboard_safe_cast('"order_id"', 'bigint') }} as "order_id"`);
    expect(sql).toContain(`{{ relayboard_safe_cast('"note"', 'text') }} as "note"`);
    expect(sql).toMatch(/with source as[\s\S]*renamed as[\s\S]*final as/);
  });

  it('profiles every column from staging: nulls, distinct values, cast failures, number and date ranges', () => {
    const sql = renderProfileModel(orders);
    expect(sql).toContain("source('staging', 'orders')");
    expect(sql).toContain(`{{ relayboard_cast_fails('"order_id"', 'bigint') }} as c1_fails`);
    expect(sql).toContain('count(*) filter (where c1_fails) as c1_cast_failures');
    expect(sql).toContain('avg(c1)::numeric as c1_avg_number');
    expect(sql).toContain('min(c2)::text as c2_min_date');
    expect(sql).not.toContain('c3_min_number');
    expect(sql.match(/union all/g)).toHaveLength(2);
  });

  it('keeps original headers as column descriptions, escaped for YAML', () => {
    const yml = renderSchemaYaml({ name: 'x', columns: [{ name: 'a', originalName: 'say "hi": yes', type: 'text' }], checks: [] });
    expect(yml).toContain('description: "Column \\"say \\"hi\\": yes\\" of the CSV (text)"');
  });

  it('turns declared checks into named dbt tests carrying the check id', () => {
    const yml = renderSchemaYaml(orders, [
      check({}),
      check({ id: 'id-2', name: 'orders__accepted_values_note', kind: 'accepted_values', column: 'note', severity: 'warn', config: { values: ['a', "b'c"] } }),
      check({ id: 'id-3', name: 'orders__row_count', kind: 'row_count', column: null, config: { min: 1, max: 10 } }),
      check({ id: 'id-4', name: 'orders__relationships_order_id_to_ids', kind: 'relationships', config: { toDataset: 'ids', toColumn: 'id' } }),
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
    expect(yml).toContain('                values: ["a","b\'c"]');
    expect(yml).toContain('                severity: warn');
    expect(yml).toContain(['    data_tests:', '      - relayboard_row_count:', '          name: "orders__row_count"', '          arguments:', '            min_rows: 1', '            max_rows: 10'].join('\n'));
    expect(yml).toContain(`                to: "ref('ids')"\n                field: "\\"id\\""`);
  });

  it('leaves out checks whose column or target is not there, saying why', () => {
    const ids: DatasetModelInput = { name: 'ids', columns: [{ name: 'id', originalName: 'id', type: 'bigint' }], checks: [] };
    const sut = renderProjectFiles([
      {
        ...orders,
        checks: [
          check({ name: 'orders__unique_gone', kind: 'unique', column: 'gone' }),
          check({ name: 'orders__relationships_order_id_to_nope', kind: 'relationships', config: { toDataset: 'nope', toColumn: 'id' } }),
          check({ name: 'orders__relationships_order_id_to_ids', kind: 'relationships', config: { toDataset: 'ids', toColumn: 'missing' } }),
          check({}),
        ],
      },
      ids,
    ]);
    expect(sut.skipped).toEqual([
      { dataset: 'orders', check: 'orders__unique_gone', reason: 'column "gone" is not in the current version of orders' },
      { dataset: 'orders', check: 'orders__relationships_order_id_to_nope', reason: 'dataset "nope" has not been staged yet' },
      { dataset: 'orders', check: 'orders__relationships_order_id_to_ids', reason: 'column "missing" is not in the current version of ids' },
    ]);
    const yml = sut.files.get('models/relayboard/orders/_orders__models.yml')!;
    expect(yml).toContain('orders__not_null_order_id');
    expect(yml).not.toContain('orders__unique_gone');
  });
});
