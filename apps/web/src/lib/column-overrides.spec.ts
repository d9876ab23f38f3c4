import {
  describeOverride,
  EMPTY_OVERRIDE_FORM,
  formFromOverride,
  overrideFieldAliases,
  overrideFromForm as sut,
  withColumnOverride,
} from './column-overrides';

describe('the column override form', () => {
  it('builds an override from the fields set, and nothing from an empty form', () => {
    expect(sut(EMPTY_OVERRIDE_FORM)).toBeNull();
    expect(
      sut({
        ...EMPTY_OVERRIDE_FORM,
        type: 'timestamp',
        datePart: 'dd/mm/yyyy',
        timePart: 'hh12:mi am',
        nullMarkers: ' NA \n\n-\n',
      }),
    ).toEqual({ type: 'timestamp', dateFormat: 'dd/mm/yyyy hh12:mi am', nullMarkers: ['NA', '-'] });
    expect(sut({ ...EMPTY_OVERRIDE_FORM, type: 'numeric', decimal: ',', thousands: '.' })).toEqual({
      type: 'numeric',
      numberFormat: { decimal: ',', thousands: '.' },
    });
  });

  it('sends keep as text instead of a type, and an empty marker list when asked for none', () => {
    expect(sut({ ...EMPTY_OVERRIDE_FORM, type: 'bigint', keepText: true })).toEqual({ keepText: true });
    expect(sut({ ...EMPTY_OVERRIDE_FORM, nullMarkers: 'NA', noNullMarkers: true })).toEqual({ nullMarkers: [] });
  });

  it('reads a stored override back into the form', () => {
    const override = { type: 'date' as const, dateFormat: 'dd.mm.yyyy', nullMarkers: [] };
    expect(formFromOverride(override)).toEqual({
      ...EMPTY_OVERRIDE_FORM,
      type: 'date',
      datePart: 'dd.mm.yyyy',
      noNullMarkers: true,
    });
    expect(sut(formFromOverride(override))).toEqual(override);
    expect(formFromOverride(undefined)).toBe(EMPTY_OVERRIDE_FORM);
  });

  it('replaces or removes one column of the set', () => {
    const set = { a: { keepText: true as const }, b: { type: 'text' as const } };
    expect(withColumnOverride(set, 'b', null)).toEqual({ a: { keepText: true } });
    expect(withColumnOverride(set, 'c', { type: 'date' })).toEqual({ ...set, c: { type: 'date' } });
    expect(set).toEqual({ a: { keepText: true }, b: { type: 'text' } });
  });

  it("maps the api's fields of the column to the form's", () => {
    const aliases = overrideFieldAliases('amount');
    expect(aliases['columns.amount.dateFormat']).toBe('datePart');
    expect(aliases['columns.amount.nullMarkers.3']).toBe('nullMarkers');
    expect(aliases.columns).toBeUndefined();
  });

  it('describes a stored override, markers quoted', () => {
    expect(
      describeOverride({ type: 'numeric', numberFormat: { decimal: ',', thousands: '' }, nullMarkers: ['<b>'] }),
    ).toBe(`numeric; decimal ',', no thousands separator; NULL for "<b>"`);
    expect(describeOverride({ keepText: true, nullMarkers: [] })).toBe('keep as text; no missing-value markers');
  });
});
