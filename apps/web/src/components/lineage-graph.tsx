'use client';

import '@xyflow/react/dist/style.css';
import {
  Handle,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
  type ReactFlowInstance,
} from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LineageEdge, LineageNode } from '@relayboard/contracts';
import { ROLE_STYLES } from '@/lib/lineage-roles';
import { LINEAGE_NODE_HEIGHT, LINEAGE_NODE_WIDTH, layoutLineage } from '@/lib/lineage-layout';

type LineageFlowNode = Node<{ lineage: LineageNode }, 'lineage'>;

function LineageNodeCard({ data }: NodeProps<LineageFlowNode>) {
  const { lineage } = data;
  const style = ROLE_STYLES[lineage.role];
  return (
    <div
      className={`flex h-full w-full flex-col justify-center rounded-md border-2 px-2.5 py-1 text-left shadow-sm ${style.className}`}
      title={lineage.relation ?? lineage.id}
    >
      <Handle
        type="target"
        position={Position.Left}
        isConnectable={false}
        className="!h-1.5 !w-1.5 !min-w-0 !border-0 !bg-slate-400"
      />
      <span className="truncate text-xs font-semibold text-slate-900">{lineage.name}</span>
      <span className="truncate text-[11px] text-slate-700">
        {style.label} · {lineage.status ?? 'not run'}
      </span>
      <Handle
        type="source"
        position={Position.Right}
        isConnectable={false}
        className="!h-1.5 !w-1.5 !min-w-0 !border-0 !bg-slate-400"
      />
    </div>
  );
}

const NODE_TYPES = { lineage: LineageNodeCard };
const FIT_VIEW_OPTIONS = { padding: 0.1 };

/**
 * The drawing only: it is read-only and hidden from assistive technology, whose users
 * get the same nodes and edges as the list beside it.
 */
export function LineageGraph({ nodes, edges }: { nodes: LineageNode[]; edges: LineageEdge[] }) {
  const { flowNodes, flowEdges } = useMemo(() => {
    const laid = layoutLineage(nodes, edges);
    const flowNodes: LineageFlowNode[] = laid.nodes.map(({ node, x, y }) => ({
      id: node.id,
      type: 'lineage',
      position: { x, y },
      data: { lineage: node },
      width: LINEAGE_NODE_WIDTH,
      height: LINEAGE_NODE_HEIGHT,
      focusable: false,
    }));
    const flowEdges: Edge[] = laid.edges.map((edge) => ({
      id: `${edge.from}->${edge.to}`,
      source: edge.from,
      target: edge.to,
      focusable: false,
      style: { stroke: '#94a3b8', strokeWidth: 1.5 },
    }));
    return { flowNodes, flowEdges };
  }, [nodes, edges]);

  // fitView fits once, at the first size; a rotated phone or a resized window refits it.
  const containerRef = useRef<HTMLDivElement>(null);
  const [flow, setFlow] = useState<ReactFlowInstance<LineageFlowNode> | null>(null);
  useEffect(() => {
    const container = containerRef.current;
    if (!container || !flow) return;
    const observer = new ResizeObserver(() => void flow.fitView(FIT_VIEW_OPTIONS));
    observer.observe(container);
    return () => observer.disconnect();
  }, [flow]);

  return (
    <div
      ref={containerRef}
      aria-hidden="true"
      className="h-48 w-full rounded-lg border border-slate-200 bg-white shadow-sm sm:h-80"
      data-testid="lineage-graph"
    >
      <ReactFlow
        nodes={flowNodes}
        edges={flowEdges}
        nodeTypes={NODE_TYPES}
        onInit={setFlow}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.2}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        // The page keeps scrolling over the graph; dragging pans it.
        zoomOnScroll={false}
        preventScrolling={false}
        // Inside aria-hidden nothing may take focus, the attribution link included.
        proOptions={{ hideAttribution: true }}
      />
    </div>
  );
}
