import type { RunNode } from '@relayboard/contracts';

/** dbt's statuses that need a person, worst first; every other status (pass, success, skipped, ...) comes after. */
const PROBLEM_ORDER = ['error', 'fail', 'warn'] as const;

export function isProblemStatus(status: string): boolean {
  return (PROBLEM_ORDER as readonly string[]).includes(status);
}

function rank(status: string): number {
  const index = (PROBLEM_ORDER as readonly string[]).indexOf(status);
  return index === -1 ? PROBLEM_ORDER.length : index;
}

/** Errors, then failures, then warnings, then the rest; within each, dbt's own order (the order it finished them). */
export function nodesFailuresFirst(nodes: readonly RunNode[]): RunNode[] {
  return nodes
    .map((node, index) => ({ node, index }))
    .sort((a, b) => rank(a.node.status) - rank(b.node.status) || a.index - b.index)
    .map(({ node }) => node);
}

export interface NodeCounts {
  models: number;
  tests: number;
  errors: number;
  failed: number;
  warned: number;
}

export function countNodes(nodes: readonly RunNode[]): NodeCounts {
  return {
    models: nodes.filter((n) => n.kind === 'model').length,
    tests: nodes.filter((n) => n.kind === 'test').length,
    errors: nodes.filter((n) => n.status === 'error').length,
    failed: nodes.filter((n) => n.status === 'fail').length,
    warned: nodes.filter((n) => n.status === 'warn').length,
  };
}
