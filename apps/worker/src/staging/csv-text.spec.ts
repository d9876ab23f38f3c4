import { countLineBreaks, parseRecord, tokenize, UNTERMINATED_QUOTE } from './csv-text';

const fields = (text: string, d = ',', q = '"') => tokenize(text, d, q).records.map((r) => r.fields);

describe('tokenize', () => {
  it('tells an unquoted empty field (NULL) from a quoted one (empty string)', () => {
    expect(fields('a,,""\n')).toEqual([['a', null, '']]);
  });

  it('reads doubled quotes, delimiters and line breaks inside quoted fields', () => {
    expect(fields('"a ""b"", c","x\r\ny"\n')).toEqual([['a "b", c', 'x\r\ny']]);
  });

  it('accepts LF, CRLF and CR in one text and counts them', () => {
    const sut = tokenize('a\nb\r\nc\rd', ',', '"');
    expect(sut.records.map((r) => r.fields)).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(sut.lineBreaks).toEqual({ lf: 1, crlf: 1, cr: 1 });
  });

  it('keeps a quote inside an unquoted field as text', () => {
    const [record] = tokenize('5" screen,x\n', ',', '"').records;
    expect(record.fields).toEqual(['5" screen', 'x']);
    expect(record.strayQuote).toBe(true);
    expect(record.problem).toBeNull();
  });

  it('flags text after a closing quote and an unterminated quote', () => {
    expect(parseRecord('"ab"c,d', ',', '"').problem).toBe('text after the closing quote of field 1');
    expect(parseRecord('a,"b\nc', ',', '"').problem).toBe(UNTERMINATED_QUOTE);
  });

  it('marks blank lines', () => {
    const records = tokenize('a\n\nb\n', ',', '"').records;
    expect(records.map((r) => r.blank)).toEqual([false, true, false]);
  });

  it('leaves out a record that more text could continue', () => {
    const sut = tokenize('a,b\n1,"x', ',', '"', { final: false });
    expect(sut.records.map((r) => r.fields)).toEqual([['a', 'b']]);
    expect(sut.complete).toBe(false);
    expect(tokenize('a,b\r', ',', '"', { final: false }).complete).toBe(false);
  });

  it('uses the given delimiter and quote', () => {
    expect(fields("'a;b';c\n", ';', "'")).toEqual([['a;b', 'c']]);
    expect(fields('a\tb|c\n', '\t')).toEqual([['a', 'b|c']]);
  });
});

describe('countLineBreaks', () => {
  it('counts CRLF once', () => {
    expect(countLineBreaks('a\r\nb\nc\rd')).toBe(3);
  });
});
