import { inferType, typeMask, TypeBit } from './type-rules';

describe('inferType', () => {
  it.each([
    [['true', 'FALSE', 'yes', 'No', 't', 'f'], 'boolean'],
    [['1', '0', '1'], 'bigint'],
    [['-12', '+7', '9223372036854775807'], 'bigint'],
    [['9223372036854775808', '1'], 'numeric'],
    [['1.5', '-.5', '2.', '1e6', '3'], 'numeric'],
    [['2024-01-31', '2024-02-29'], 'date'],
    [['2024-01-31', '2024-02-01 10:00', '2024-02-01T10:00:00.123'], 'timestamp'],
    [['2024-02-01T10:00:00Z', '2024-02-01 10:00:00+02:00', '2024-02-01 10:00+0530'], 'timestamptz'],
    [['0b0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4d'], 'uuid'],
    [['{"a": 1}', '[1, 2]'], 'json'],
    [[null, null], 'text'],
    [['1', null, '2'], 'bigint'],
    [['1', '', '  ', '2'], 'bigint'],
    [[' 12 ', '3'], 'bigint'],
    [['', ' '], 'text'],
  ] as const)('%j is %s', (values, type) => {
    expect(inferType([...values])).toBe(type);
  });

  it.each([
    [['1,234', '5'], 'thousands separators'],
    [['08123', '12'], 'a leading zero (codes, zip codes)'],
    [['2024-01-05', '01/06/2024'], 'mixed date formats'],
    [['2024-02-30'], 'a day that does not exist'],
    [['2024-02-01T10:00:00Z', '2024-02-01T10:00:00'], 'timestamps with and without offsets'],
    [['\t12'], 'tabs around a number (btrim takes spaces only)'],
    [['y', 'n'], 'y/n'],
    [['1', 'true'], 'numbers mixed with booleans'],
    [['NaN', 'Infinity'], 'NaN and Infinity'],
    [["=cmd|' /C calc'!A0", '+1+1'], 'formula-like cells'],
    [['"x"', '1'], 'json scalars'],
    [['{not json'], 'broken json'],
  ] as const)('%j stays text (%s)', (values, _why) => {
    expect(inferType([...values])).toBe('text');
  });
});

describe('typeMask', () => {
  it('lets a date fit both date and timestamp, and NULL and blanks fit anything', () => {
    expect(typeMask('2024-01-01')).toBe(TypeBit.date | TypeBit.timestamp);
    expect(typeMask(null)).toBe(255);
    expect(typeMask('  ')).toBe(255);
  });
});
