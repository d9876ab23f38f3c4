import { quoteIdent, ROW_NUMBER_COLUMN } from '@relayboard/db';
import { normalizeColumns } from './columns';

const names = (headers: string[]) => normalizeColumns(headers).map((c) => c.name);

describe('normalizeColumns', () => {
  it('snake-cases and keeps the original header', () => {
    const sut = normalizeColumns(['Order ID', 'customerName', ' Amount (USD) ']);
    expect(sut.map((c) => c.name)).toEqual(['order_id', 'customer_name', 'amount_usd']);
    expect(sut.map((c) => c.originalName)).toEqual(['Order ID', 'customerName', ' Amount (USD) ']);
  });

  it('makes duplicates unique and fills empty headers', () => {
    expect(names(['id', 'ID', 'id', '', '  '])).toEqual(['id', 'id_2', 'id_3', 'column_4', 'column_5']);
  });

  it('strips accents and prefixes names that start with a digit', () => {
    expect(names(['Café', '2024 total', '名前'])).toEqual(['cafe', 'c_2024_total', 'column_3']);
  });

  it('keeps names within 63 bytes, also when a suffix is added', () => {
    const long = 'x'.repeat(300);
    const result = names([long, long]);
    expect(result[0]).toHaveLength(63);
    expect(result[1]).toHaveLength(63);
    expect(result[1].endsWith('_2')).toBe(true);
    expect(new Set(result).size).toBe(2);
  });

  it('never reuses the reserved row-number column', () => {
    expect(names(['_rb_row', '_RB_ROW_'])).toEqual(['rb_row', 'rb_row_2']);
    expect(names(['_rb_row'])).not.toContain(ROW_NUMBER_COLUMN);
  });
});

describe('quoteIdent', () => {
  it('doubles embedded quotes', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
});
