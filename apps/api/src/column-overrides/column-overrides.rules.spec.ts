import { overrideIssues as sut } from './column-overrides.rules';

const known = ['id', 'amount', 'ordered_on'];

describe('overrideIssues', () => {
  it('accepts types with the formats they can take', () => {
    expect(
      sut(
        {
          amount: { type: 'numeric', numberFormat: { decimal: ',', thousands: '.' }, nullMarkers: ['n/a'] },
          ordered_on: { type: 'timestamp', dateFormat: 'dd/mm/yyyy hh:mi' },
          id: { keepText: true },
        },
        known,
        'orders',
      ),
    ).toEqual([]);
  });

  it('names the known columns for a column the dataset does not have', () => {
    expect(sut({ amout: { type: 'numeric' } }, known, 'orders')).toEqual([
      {
        field: 'columns.amout',
        message: 'dataset "orders" has no column "amout"; its columns are id, amount, ordered_on',
      },
    ]);
  });

  it('says so when the dataset was never staged', () => {
    const [issue] = sut({ id: { type: 'text' } }, null, 'orders');
    expect(issue.field).toBe('columns.id');
    expect(issue.message).toContain('has no staged version yet');
  });

  it('shortens a long list of known columns', () => {
    const many = Array.from({ length: 40 }, (_, i) => `c${i}`);
    expect(sut({ x: { type: 'text' } }, many, 'wide')[0].message).toMatch(/c29 and 10 more$/);
  });

  it('refuses a date format on a type that is not a date or timestamp, or without a type', () => {
    expect(sut({ amount: { type: 'numeric', dateFormat: 'dd/mm/yyyy' } }, known, 'o')[0].field).toBe(
      'columns.amount.dateFormat',
    );
    expect(sut({ amount: { dateFormat: 'dd/mm/yyyy' } }, known, 'o')[0].message).toContain('type is not given');
    expect(sut({ amount: { keepText: true, dateFormat: 'dd/mm/yyyy' } }, known, 'o')[0].message).toContain(
      'type is text',
    );
  });

  it('refuses a time part on a date', () => {
    expect(sut({ ordered_on: { type: 'date', dateFormat: 'dd/mm/yyyy hh:mi' } }, known, 'o')[0].message).toContain(
      'has a time part',
    );
  });

  it('refuses a number format on a type that is not bigint or numeric', () => {
    expect(sut({ id: { type: 'text', numberFormat: { decimal: '.', thousands: ',' } } }, known, 'o')).toEqual([
      expect.objectContaining({ field: 'columns.id.numberFormat' }),
    ]);
  });

  it('refuses an override that says nothing', () => {
    expect(sut({ id: {} }, known, 'o')[0].message).toContain('changes nothing');
  });
});
