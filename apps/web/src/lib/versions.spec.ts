import { describeDialect, formatShare, schemaChangesOf } from './versions';

describe('describeDialect', () => {
  it('names the encoding, delimiter and line ending', () => {
    expect(
      describeDialect({ encoding: 'utf-8', bom: false, delimiter: ',', quote: '"', lineEnding: 'lf', header: true }),
    ).toBe('utf-8, comma, LF');
    expect(
      describeDialect({ encoding: 'windows-1252', bom: false, delimiter: ';', lineEnding: 'crlf', header: true }),
    ).toBe('windows-1252, semicolon, CRLF');
  });

  it('says when there is a byte order mark, mixed line endings or no header', () => {
    expect(
      describeDialect({ encoding: 'utf-16le', bom: true, delimiter: '\t', lineEnding: 'mixed', header: false }),
    ).toBe('utf-16le with BOM, tab, mixed line endings, no header');
  });

  it('shows an unknown delimiter as a quoted string, never as markup', () => {
    expect(describeDialect({ delimiter: '<b>' })).toBe('"<b>"');
  });

  it('is null before a run detected the dialect', () => {
    expect(describeDialect(null)).toBeNull();
    expect(describeDialect({})).toBeNull();
    expect(describeDialect('comma')).toBeNull();
  });
});

describe('schemaChangesOf', () => {
  it('keeps the added, removed and retyped columns', () => {
    const changes = {
      previousVersionId: 'v1',
      added: ['email'],
      removed: [],
      retyped: [{ name: 'age', from: 'bigint', to: 'text' }],
    };
    expect(schemaChangesOf(changes)).toEqual(changes);
  });

  it('is null when nothing changed, for the first version and for shapes it does not know', () => {
    expect(schemaChangesOf({ previousVersionId: 'v1', added: [], removed: [], retyped: [] })).toBeNull();
    expect(schemaChangesOf(null)).toBeNull();
    expect(schemaChangesOf({ added: 'email' })).toBeNull();
  });
});

describe('formatShare', () => {
  it('rounds to whole percents, with a decimal below 10%', () => {
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(0.004)).toBe('0.4%');
    expect(formatShare(0.125)).toBe('13%');
    expect(formatShare(1)).toBe('100%');
  });

  it('never rounds a few nulls to 0% or almost all to 100%', () => {
    expect(formatShare(0.00001)).toBe('<0.1%');
    expect(formatShare(0.9999)).toBe('>99%');
  });

  it('shows a dash for an empty table', () => {
    expect(formatShare(null)).toBe('—');
  });
});
