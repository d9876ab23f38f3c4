import type { StagedColumn } from '@relayboard/db';
import { applyColumnOverrides as sut, describeAppliedOverrides } from './column-overrides';

const col = (name: string, type: string, decision?: StagedColumn['decision']): StagedColumn => ({
  name,
  originalName: name,
  type,
  ...(decision && { decision }),
});

const inferred = (
  over: Partial<NonNullable<StagedColumn['decision']>> = {},
): NonNullable<StagedColumn['decision']> => ({
  nullMarkers: [],
  dateFormat: null,
  numberFormat: null,
  source: 'inferred',
  note: null,
  ...over,
});

describe('applyColumnOverrides', () => {
  it('leaves columns without an override as inference typed them', () => {
    const columns = [col('id', 'bigint', inferred()), col('name', 'text')];
    const applied = sut(columns, {});
    expect(applied).toEqual({ columns, changes: [], unknownColumns: [], invalid: [] });
  });

  it('forces a date type with its format on a text column, and says what changed from the inferred decision', () => {
    const ambiguous = inferred({ note: 'values read both dd/mm/yyyy and mm/dd/yyyy' });
    const applied = sut([col('id', 'bigint'), col('paid_on', 'text', ambiguous)], {
      paid_on: { type: 'date', dateFormat: 'dd/mm/yyyy' },
    });
    expect(applied.columns[0]).toEqual(col('id', 'bigint'));
    expect(applied.columns[1]).toEqual({
      name: 'paid_on',
      originalName: 'paid_on',
      type: 'date',
      decision: {
        nullMarkers: [],
        dateFormat: 'dd/mm/yyyy',
        numberFormat: null,
        source: 'override',
        note: 'inferred text (values read both dd/mm/yyyy and mm/dd/yyyy); override: date dd/mm/yyyy',
      },
    });
    expect(applied.changes).toEqual([
      {
        column: 'paid_on',
        before: { type: 'text', dateFormat: null, numberFormat: null, nullMarkers: [] },
        after: { type: 'date', dateFormat: 'dd/mm/yyyy', numberFormat: null, nullMarkers: [] },
      },
    ]);
  });

  it('replaces the markers, keeping the counts inference found and 0 for markers it did not count', () => {
    const decision = inferred({ nullMarkers: [{ marker: 'NA', count: 12 }] });
    const [delay] = sut([col('delay', 'bigint', decision)], { delay: { nullMarkers: ['NA', '-'] } }).columns;
    expect(delay.type).toBe('bigint');
    expect(delay.decision?.nullMarkers).toEqual([
      { marker: 'NA', count: 12 },
      { marker: '-', count: 0 },
    ]);
    expect(delay.decision?.note).toBe('inferred bigint, NULL for "NA"; override: bigint, NULL for "NA", "-"');
    expect(
      sut([col('delay', 'bigint', decision)], { delay: { nullMarkers: [] } }).columns[0].decision?.nullMarkers,
    ).toEqual([]);
  });

  it('keeps a column text with its markers as values when told to keep text', () => {
    const decision = inferred({
      nullMarkers: [{ marker: 'NA', count: 3 }],
      numberFormat: { decimal: ',', thousands: '.' },
    });
    const [zip] = sut([col('zip', 'numeric', decision)], { zip: { keepText: true } }).columns;
    expect(zip).toMatchObject({
      type: 'text',
      decision: { nullMarkers: [], numberFormat: null, dateFormat: null, source: 'override' },
    });
    expect(zip.decision?.note).toBe(
      `inferred numeric (decimal ',', thousands '.'), NULL for "NA"; override: keep as text`,
    );
  });

  it('keeps the inferred format when the override changes only what goes with it', () => {
    const decision = inferred({ dateFormat: 'dd.mm.yyyy' });
    const [at] = sut([col('at', 'date', decision)], { at: { type: 'timestamp' } }).columns;
    expect(at.decision?.dateFormat).toBe('dd.mm.yyyy');
    const [n] = sut([col('n', 'numeric', inferred({ numberFormat: { decimal: ',', thousands: '' } }))], {
      n: { type: 'text' },
    }).columns;
    expect(n.decision?.numberFormat).toBeNull();
  });

  it('sets a number format, and marks an override that matches inference as an override all the same', () => {
    const [amount] = sut([col('amount', 'text')], {
      amount: { type: 'numeric', numberFormat: { decimal: ',', thousands: ' ' } },
    }).columns;
    expect(amount.decision).toMatchObject({ numberFormat: { decimal: ',', thousands: ' ' }, source: 'override' });
    expect(amount.decision?.note).toBe(`inferred text; override: numeric (decimal ',', thousands ' ')`);
    const [same] = sut([col('id', 'bigint')], { id: { type: 'bigint' } }).columns;
    expect(same.decision?.source).toBe('override');
  });

  it('reports overrides for columns the version does not have, and stored ones that do not read, without failing', () => {
    const applied = sut([col('id', 'bigint')], {
      gone: { type: 'text' },
      id: { type: 'date', keepText: true },
    });
    expect(applied.columns).toEqual([col('id', 'bigint')]);
    expect(applied.unknownColumns).toEqual(['gone']);
    expect(applied.invalid).toEqual([
      { column: 'id', problem: 'keepText and a type other than text contradict each other; send one' },
    ]);
    expect(describeAppliedOverrides(applied, 'orders')).toBe(
      'override(s) for gone left unused: this version has no such column (change or clear them with PUT /v1/datasets/orders/column-overrides). ' +
        'the stored override of id was left unused: keepText and a type other than text contradict each other; send one; set it again with PUT /v1/datasets/orders/column-overrides',
    );
  });

  it('describes each applied change before and after', () => {
    const applied = sut([col('amount', 'text'), col('ref', 'bigint')], {
      amount: { type: 'numeric', nullMarkers: ['n/a'] },
      ref: { keepText: true },
    });
    expect(describeAppliedOverrides(applied, 'orders')).toBe(
      'column overrides applied: amount: inferred text -> numeric, NULL for "n/a"; ref: inferred bigint -> text',
    );
  });
});
