import { extractLineage, type DbtManifest, type ManifestNode } from './lineage';

const model = (name: string, path: string, over: Partial<ManifestNode> = {}): ManifestNode => ({
  unique_id: `model.relayboard.${name}`,
  name,
  resource_type: 'model',
  schema: 'warehouse',
  alias: name,
  original_file_path: path,
  config: { materialized: 'table' },
  ...over,
});

const source = (name: string): ManifestNode => ({
  unique_id: `source.relayboard.staging.${name}`,
  name,
  source_name: 'staging',
  resource_type: 'source',
  schema: 'staging',
  identifier: name,
  original_file_path: 'models/relayboard/_sources.yml',
});

function manifest(): DbtManifest {
  const nodes = [
    model('stg_orders', 'models/relayboard/orders/stg_orders.sql', { config: { materialized: 'view' } }),
    model('orders', 'models/relayboard/orders/orders.sql'),
    model('orders__profile', 'models/relayboard/orders/orders__profile.sql'),
    model('customers', 'models/relayboard/customers/customers.sql'),
    model('revenue', 'models/marts/revenue.sql'),
    {
      unique_id: 'test.relayboard.orders__not_null_id.1',
      name: 'orders__not_null_id',
      resource_type: 'test',
      schema: 'warehouse_dbt_test__audit',
      original_file_path: 'models/relayboard/orders/_orders__models.yml',
      config: { materialized: 'test', meta: { relayboard_check_id: 'check-1' } },
    },
    {
      unique_id: 'test.relayboard.unique_orders__rb_row.2',
      name: 'unique_orders__rb_row',
      resource_type: 'test',
      original_file_path: 'models/relayboard/orders/_orders__models.yml',
      config: { materialized: 'test' },
    },
  ];
  const edges: [string, string][] = [
    ['source.relayboard.staging.orders', 'model.relayboard.stg_orders'],
    ['source.relayboard.staging.orders', 'model.relayboard.orders__profile'],
    ['model.relayboard.stg_orders', 'model.relayboard.orders'],
    ['model.relayboard.orders', 'model.relayboard.revenue'],
    ['model.relayboard.customers', 'model.relayboard.revenue'],
    ['model.relayboard.orders', 'test.relayboard.orders__not_null_id.1'],
    ['model.relayboard.orders', 'test.relayboard.unique_orders__rb_row.2'],
  ];
  const ids = [
    ...nodes.map((n) => n.unique_id),
    'source.relayboard.staging.orders',
    'source.relayboard.staging.customers',
  ];
  const child_map = Object.fromEntries(ids.map((id) => [id, edges.filter(([f]) => f === id).map(([, t]) => t)]));
  const parent_map = Object.fromEntries(ids.map((id) => [id, edges.filter(([, t]) => t === id).map(([f]) => f)]));
  return {
    nodes: Object.fromEntries(nodes.map((n) => [n.unique_id, n])),
    sources: {
      'source.relayboard.staging.orders': source('orders'),
      'source.relayboard.staging.customers': source('customers'),
    },
    child_map,
    parent_map,
  };
}

describe('lineage from the manifest', () => {
  it("holds the dataset's source and everything downstream, with the direct parents from elsewhere", () => {
    const sut = extractLineage(manifest(), 'orders');
    expect(sut.nodes.map((n) => [n.name, n.role, n.dataset])).toEqual([
      ['customers', 'table', 'customers'],
      ['orders', 'table', 'orders'],
      ['orders__profile', 'profile', 'orders'],
      ['revenue', 'model', null],
      ['stg_orders', 'staging', 'orders'],
      ['orders', 'source', 'orders'],
      ['orders__not_null_id', 'check', 'orders'],
      ['unique_orders__rb_row', 'test', 'orders'],
    ]);
    expect(sut.edges).toContainEqual({ from: 'model.relayboard.customers', to: 'model.relayboard.revenue' });
    expect(sut.edges).toContainEqual({ from: 'source.relayboard.staging.orders', to: 'model.relayboard.stg_orders' });
    expect(sut.edges).toHaveLength(7);
    const check = sut.nodes.find((n) => n.role === 'check')!;
    expect(check).toMatchObject({ checkId: 'check-1', relation: null, materialized: 'test' });
    expect(sut.nodes.find((n) => n.role === 'staging')).toMatchObject({
      relation: 'warehouse.stg_orders',
      materialized: 'view',
    });
    expect(sut.nodes.find((n) => n.role === 'source')).toMatchObject({
      relation: 'staging.orders',
      materialized: null,
    });
  });

  it('is empty for a dataset the manifest does not know', () => {
    expect(extractLineage(manifest(), 'nope')).toEqual({ nodes: [], edges: [] });
  });
});
