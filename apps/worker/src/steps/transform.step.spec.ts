import { failureReason } from './transform.step';

const node = (over: object) => ({
  uniqueId: 'model.relayboard.x',
  name: 'x',
  kind: 'model',
  status: 'success',
  message: null,
  failures: null,
  rowsAffected: null,
  executionTime: 0.1,
  startedAt: null,
  completedAt: null,
  checkId: null,
  compiledCode: null,
  samples: [],
  ...over,
});

describe('why a dbt build failed', () => {
  it('names each failing node with its failing rows or error, in dbt words', () => {
    const sut = failureReason({
      exitCode: 1,
      errors: ['Failure in test t'],
      nodes: [
        node({}),
        node({
          uniqueId: 'test.relayboard.t.1',
          name: 't',
          kind: 'test',
          status: 'fail',
          failures: 3,
          message: 'Got 3 results, configured to fail if != 0',
        }),
        node({
          name: 'broken',
          status: 'error',
          message: 'Database Error in model broken (models/marts/broken.sql)\n  syntax error at or near "selec"',
        }),
      ],
    });
    expect(sut).toBe(
      'test t failed with 3 failing row(s): Got 3 results, configured to fail if != 0; model broken errored: Database Error in model broken (models/marts/broken.sql): syntax error at or near "selec"',
    );
  });

  it("gives dbt's error lines when it failed before running a node", () => {
    expect(
      failureReason({
        exitCode: 2,
        nodes: [],
        errors: ['Encountered an error:\nCompilation Error\n  unexpected end of template'],
      }),
    ).toBe('Compilation Error: unexpected end of template');
    expect(failureReason({ exitCode: 2, nodes: [], errors: [] })).toMatch(
      /^dbt exited with code 2 without an error message/,
    );
  });
});
