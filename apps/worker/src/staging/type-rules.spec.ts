import { ANY_TYPE, inferColumn, inferType, typeMask, TypeBit } from './type-rules';

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
    [['1,5', '2'], 'a decimal comma in a comma-delimited file'],
    [['1.234,5', '1,234.5'], 'two number formats'],
    [['12,34'], 'groups of other than 3 digits'],
    [['0,123'], 'a thousands group after a leading zero'],
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
    expect(typeMask(null)).toBe(ANY_TYPE);
    expect(typeMask('  ')).toBe(ANY_TYPE);
  });
});

describe('inferColumn (issue #15)', () => {
  it.each([
    [['1', 'NA', '2', ' NA ', 'NA'], ',', 'bigint', [{ marker: 'NA', count: 3 }]],
    [
      ['1.5', 'N/A', '-', '#N/A', '.'],
      ',',
      'numeric',
      [
        { marker: 'N/A', count: 1 },
        { marker: '-', count: 1 },
        { marker: '.', count: 1 },
        { marker: '#N/A', count: 1 },
      ],
    ],
    [['2024-01-05', 'NULL'], ',', 'date', [{ marker: 'NULL', count: 1 }]],
    [['true', 'None'], ',', 'boolean', [{ marker: 'None', count: 1 }]],
  ] as const)('%j (delimiter %j) is %s with markers read as NULL', (values, delimiter, type, markers) => {
    const verdict = inferColumn([...values], delimiter);
    expect(verdict.type).toBe(type);
    expect(verdict.decision.nullMarkers).toEqual(markers);
  });

  it('keeps a marker that is a real value among text (a city called NA) and records no markers', () => {
    const verdict = inferColumn(['Paris', 'NA', 'Lyon']);
    expect(verdict).toEqual({ type: 'text', decision: expect.objectContaining({ nullMarkers: [] }) });
    expect(inferColumn(['NA', 'NA']).type).toBe('text');
    expect(inferColumn(['None', 'Minor', 'Major']).decision.nullMarkers).toEqual([]);
  });

  it.each([
    [['2015/01/01', '2015/12/31'], 'date', 'yyyy/mm/dd'],
    [['2015.1.5', '2015.12.31'], 'date', 'yyyy.mm.dd'],
    [['31.12.2015', '1.5.2015'], 'date', 'dd.mm.yyyy'],
    [['05/06/2024', '25/06/2024'], 'date', 'dd/mm/yyyy'],
    [['05/06/2024', '06/25/2024'], 'date', 'mm/dd/yyyy'],
    [['13-01-2024', '01-01-2024'], 'date', 'dd-mm-yyyy'],
    [['2015/01/01 01:00:00', '2015/01/01 23:59', '2015/01/02'], 'timestamp', 'yyyy/mm/dd hh:mi:ss'],
    [['1/5/2024 9:30 PM', '12/31/2024 12:00am'], 'timestamp', 'mm/dd/yyyy hh12:mi:ss am'],
    [['25/12/2024 13:00', 'NA'], 'timestamp', 'dd/mm/yyyy hh:mi:ss'],
  ] as const)('%j is %s written %s', (values, type, format) => {
    const verdict = inferColumn([...values]);
    expect(verdict.type).toBe(type);
    expect(verdict.decision.dateFormat).toBe(format);
  });

  it.each([
    [['2015/02/30'], 'a day that does not exist'],
    [['05/06/2024', '2024-06-05'], 'two date formats'],
    [['13/13/2024'], 'no month 13 either way'],
    [['1/5/2024 13:00', '1/5/2024 1:00 PM'], '24-hour and 12-hour clocks'],
    [['1/5/2024 13:00 PM'], 'a 12-hour clock past 12'],
    [['1/5/24'], 'two-digit years'],
  ] as const)('%j stays text (%s)', (values, _why) => {
    expect(inferType([...values])).toBe('text');
  });

  it('leaves a column that reads both day-first and month-first text, with a note naming the override', () => {
    const verdict = inferColumn(['05/06/2024', '01/02/2024']);
    expect(verdict.type).toBe('text');
    expect(verdict.decision.note).toContain('dateFormat "dd/mm/yyyy" or "mm/dd/yyyy"');
  });

  it.each([
    [['1,234.50', '12', '1,234,567'], ',', { decimal: '.', thousands: ',' }],
    [['1.234,50', '0,5', '12'], ';', { decimal: ',', thousands: '.' }],
    [['1,5', '2,25'], '\t', { decimal: ',', thousands: '.' }],
    [['1,234', '5,678'], ';', { decimal: ',', thousands: '.' }],
    [['12', '1.200'], ';', { decimal: ',', thousands: '.' }],
    [['1,234', '5,678'], '\t', { decimal: '.', thousands: ',' }],
  ] as const)('%j (delimiter %j) is numeric written %j', (values, delimiter, format) => {
    const verdict = inferColumn([...values], delimiter);
    expect(verdict.type).toBe('numeric');
    expect(verdict.decision.numberFormat).toEqual(format);
  });

  it('keeps plain numbers plain', () => {
    expect(inferColumn(['1.234', '5.5'], ';').decision.numberFormat).toBeNull();
    expect(inferColumn(['1', '2'], ';')).toEqual({
      type: 'bigint',
      decision: expect.objectContaining({ numberFormat: null }),
    });
  });
});
