import { createCheckRequestSchema } from '@relayboard/contracts';
import { checkConfig, checkName } from './checks.definition';

const name = (body: object) => checkName('orders', createCheckRequestSchema.parse(body));

describe('check names', () => {
  it("are the dbt test's name: the dataset, the kind and the column", () => {
    expect(name({ kind: 'not_null', column: 'amount' })).toBe('orders__not_null_amount');
    expect(name({ kind: 'accepted_values', column: 'status', values: ['a'] })).toBe('orders__accepted_values_status');
    expect(name({ kind: 'row_count', min: 1 })).toBe('orders__row_count');
  });

  it('name the target of a relationship, so one column may point at two datasets', () => {
    expect(name({ kind: 'relationships', column: 'customer_id', toDataset: 'customers', toColumn: 'id' })).toBe(
      'orders__relationships_customer_id_to_customers',
    );
  });
});

describe('check config', () => {
  it('keeps only what the kind needs', () => {
    expect(checkConfig(createCheckRequestSchema.parse({ kind: 'row_count', max: 5 }))).toEqual({ max: 5 });
    expect(checkConfig(createCheckRequestSchema.parse({ kind: 'unique', column: 'id' }))).toEqual({});
    expect(
      checkConfig(createCheckRequestSchema.parse({ kind: 'accepted_values', column: 's', values: [1, 'b'] })),
    ).toEqual({ values: ['1', 'b'] });
  });
});
