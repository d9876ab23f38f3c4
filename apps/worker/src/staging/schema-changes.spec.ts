import { describeChanges, diffSchemas, hasChanges } from './schema-changes';

const col = (name: string, type: string) => ({ name, originalName: name, type });

describe('diffSchemas', () => {
  it('finds added, removed and retyped columns', () => {
    const sut = diffSchemas(
      'v1',
      [col('id', 'bigint'), col('old', 'text'), col('amount', 'bigint')],
      [col('id', 'bigint'), col('amount', 'numeric'), col('new', 'date')],
    );
    expect(sut).toEqual({
      previousVersionId: 'v1',
      added: ['new'],
      removed: ['old'],
      retyped: [{ name: 'amount', from: 'bigint', to: 'numeric' }],
    });
    expect(describeChanges(sut)).toBe(
      'schema changed since the previous version: added new; removed old; retyped amount (bigint -> numeric)',
    );
  });

  it('says when nothing changed', () => {
    const sut = diffSchemas('v1', [col('id', 'bigint')], [col('id', 'bigint')]);
    expect(hasChanges(sut)).toBe(false);
    expect(describeChanges(sut)).toBe('schema unchanged since the previous version');
  });
});
