import dagre from '@dagrejs/dagre';
import type { LineageEdge, LineageNode } from '@relayboard/contracts';

export const LINEAGE_NODE_WIDTH = 240;
export const LINEAGE_NODE_HEIGHT = 60;

export interface PositionedLineageNode {
  node: LineageNode;
  /** Top-left corner, as React Flow places nodes. */
  x: number;
  y: number;
}

/**
 * Left-to-right positions for the lineage, from source to tests. Edges naming a node
 * the answer does not hold are left out: dagre would otherwise invent an unlabelled node.
 */
export function layoutLineage(
  nodes: LineageNode[],
  edges: LineageEdge[],
): { nodes: PositionedLineageNode[]; edges: LineageEdge[] } {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 64, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((node) => node.id));
  for (const node of nodes) graph.setNode(node.id, { width: LINEAGE_NODE_WIDTH, height: LINEAGE_NODE_HEIGHT });
  const kept = edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to) && edge.from !== edge.to);
  for (const edge of kept) graph.setEdge(edge.from, edge.to);
  dagre.layout(graph);
  return {
    nodes: nodes.map((node) => {
      const { x, y } = graph.node(node.id);
      // dagre gives centres.
      return { node, x: x - LINEAGE_NODE_WIDTH / 2, y: y - LINEAGE_NODE_HEIGHT / 2 };
    }),
    edges: kept,
  };
}
