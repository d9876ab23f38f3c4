import { oneLine, parseDbtLogLine } from './dbt-log';

describe('dbt log lines', () => {
  it('reads a JSON event: level, name, message without colors, and its node', () => {
    const line = JSON.stringify({
      data: { node_info: { unique_id: 'test.relayboard.orders__row_count.abc' } },
      info: {
        level: 'error',
        name: 'LogTestResult',
        msg: '3 of 6 FAIL 1 orders__row_count ... [\u001b[31mFAIL 1\u001b[0m in 0.05s]',
        ts: '2026-11-21T21:50:18.452240Z',
      },
    });
    expect(parseDbtLogLine(line)).toMatchObject({
      level: 'error',
      name: 'LogTestResult',
      message: '3 of 6 FAIL 1 orders__row_count ... [FAIL 1 in 0.05s]',
      node: 'test.relayboard.orders__row_count.abc',
      ts: '2026-11-21T21:50:18.452240Z',
    });
  });

  it('keeps plain text (a Python traceback) as an error line, and drops blank lines', () => {
    expect(parseDbtLogLine('Traceback (most recent call last):')).toMatchObject({
      level: 'error',
      name: null,
      message: 'Traceback (most recent call last):',
    });
    expect(parseDbtLogLine('   ')).toBeNull();
  });

  it("puts dbt's multi-line errors on one line", () => {
    expect(
      oneLine(
        "Encountered an error:\nCompilation Error\n  Model 'model.relayboard.x' (models/marts/x.sql) depends on a node named 'nope' which was not found",
      ),
    ).toBe(
      "Compilation Error: Model 'model.relayboard.x' (models/marts/x.sql) depends on a node named 'nope' which was not found",
    );
    expect(
      oneLine(
        'Database Error in model x (models/marts/x.sql)\n  syntax error at or near "selec"\n  LINE 2: selec 1\n          ^\n  compiled code at /tmp/relayboard-dbt/runs/r/target/run/x.sql',
      ),
    ).toBe('Database Error in model x (models/marts/x.sql): syntax error at or near "selec": LINE 2: selec 1');
  });
});
