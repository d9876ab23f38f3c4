import { suggestDatasetName } from './dataset-names';

describe('suggestDatasetName', () => {
  const sut = suggestDatasetName;

  it('turns a file name into a valid dataset name', () => {
    expect(sut('Orders 2026.csv')).toBe('orders_2026');
    expect(sut('people.csv.gz')).toBe('people');
    expect(sut('--Sales--Q1--.CSV')).toBe('sales_q1');
  });

  it('starts with a letter and avoids the reserved prefix', () => {
    expect(sut('2026-orders.csv')).toBe('d_2026_orders');
    expect(sut('stg_orders.csv')).toBe('orders');
  });

  it('stays within 48 characters', () => {
    expect(sut(`${'a'.repeat(60)}.csv`)).toHaveLength(48);
  });

  it('suggests nothing when the file name has no letters or digits', () => {
    expect(sut('.csv')).toBe('');
  });
});
