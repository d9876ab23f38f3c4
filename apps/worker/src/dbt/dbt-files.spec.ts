import { renderProjectFiles, renderSchemaYaml, renderStagingModel } from './dbt-files';

const orders = {
  name: 'orders',
  columns: [
    { name: 'order_id', originalName: 'Order ID', type: 'text' },
    { name: 'amount', originalName: 'Amount', type: 'text' },
  ],
};

describe('dbt files', () => {
  it('renders one source, and a staging model, mart and yml per dataset', () => {
    const sut = renderProjectFiles([orders]);
    expect([...sut.keys()].sort()).toEqual([
      'models/relayboard/_sources.yml',
      'models/relayboard/orders/_orders__models.yml',
      'models/relayboard/orders/orders.sql',
      'models/relayboard/orders/stg_orders.sql',
    ]);
    expect(sut.get('models/relayboard/_sources.yml')).toContain('      - name: orders');
    expect(sut.get('models/relayboard/orders/orders.sql')).toContain("ref('stg_orders')");
  });

  it('quotes every column and reads from the staging source', () => {
    const sql = renderStagingModel(orders);
    expect(sql).toContain("source('staging', 'orders')");
    expect(sql).toContain('"order_id" as "order_id"');
    expect(sql).toMatch(/with source as[\s\S]*renamed as[\s\S]*final as/);
  });

  it('keeps original headers as column descriptions, escaped for YAML', () => {
    const yml = renderSchemaYaml({ name: 'x', columns: [{ name: 'a', originalName: 'say "hi": yes', type: 'text' }] });
    expect(yml).toContain('description: "Column \\"say \\"hi\\": yes\\" of the CSV"');
  });
});
