import type { RunNode } from '@relayboard/contracts';
import { countNodes, isProblemStatus, nodesFailuresFirst } from './run-nodes';

function node(name: string, kind: string, status: string): RunNode {
  return {
    uniqueId: `${kind}.${name}`,
    name,
    kind,
    status,
    rowsAffected: null,
    executionTime: 0.1,
    failures: null,
    message: null,
    checkId: null,
    samples: [],
    startedAt: null,
    completedAt: null,
  };
}

describe('nodesFailuresFirst', () => {
  it('puts errors, failures and warnings first, then the rest in dbt order', () => {
    const sut = nodesFailuresFirst([
      node('stg', 'model', 'success'),
      node('warned', 'test', 'warn'),
      node('mart', 'model', 'success'),
      node('failed', 'test', 'fail'),
      node('passed', 'test', 'pass'),
      node('broken', 'model', 'error'),
      node('failed_too', 'test', 'fail'),
      node('later', 'model', 'skipped'),
    ]);
    expect(sut.map((n) => n.name)).toEqual([
      'broken',
      'failed',
      'failed_too',
      'warned',
      'stg',
      'mart',
      'passed',
      'later',
    ]);
  });

  it('leaves the list it was given alone', () => {
    const nodes = [node('a', 'test', 'pass'), node('b', 'test', 'fail')];
    nodesFailuresFirst(nodes);
    expect(nodes.map((n) => n.name)).toEqual(['a', 'b']);
  });
});

describe('isProblemStatus and countNodes', () => {
  it('counts models, tests and problems', () => {
    expect(['error', 'fail', 'warn', 'pass', 'success', 'skipped'].map(isProblemStatus)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(
      countNodes([
        node('m', 'model', 'success'),
        node('t', 'test', 'fail'),
        node('u', 'test', 'warn'),
        node('v', 'test', 'pass'),
      ]),
    ).toEqual({
      models: 1,
      tests: 3,
      errors: 0,
      failed: 1,
      warned: 1,
    });
  });
});
