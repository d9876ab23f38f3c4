import type { LineageEdge, LineageNode } from '@relayboard/contracts';
import { CHECK_ID_META, GENERATED_DIR, RELAYBOARD_META_SOURCE } from './dbt-files';

/** The parts of dbt's manifest.json that lineage and node results read. */
export interface ManifestNode {
  unique_id: string;
  name: string;
  resource_type: string;
  schema?: string;
  alias?: string | null;
  identifier?: string | null;
  source_name?: string;
  original_file_path?: string;
  config?: { materialized?: string; meta?: Record<string, unknown> };
}

export interface DbtManifest {
  nodes: Record<string, ManifestNode>;
  sources: Record<string, ManifestNode>;
  child_map: Record<string, string[]>;
  parent_map: Record<string, string[]>;
}

export type StoredLineageNode = Omit<LineageNode, 'status'>;

export interface StoredLineage {
  nodes: StoredLineageNode[];
  edges: LineageEdge[];
}

export function manifestNode(manifest: DbtManifest, id: string): ManifestNode | undefined {
  return manifest.nodes[id] ?? manifest.sources[id];
}

export function checkIdOf(node: ManifestNode | undefined): string | null {
  const id = node?.config?.meta?.[CHECK_ID_META];
  return typeof id === 'string' ? id : null;
}

/** The dataset whose generated folder (models/relayboard/<dataset>/...) holds the file. */
function generatedDataset(node: ManifestNode): string | null {
  const parts = (node.original_file_path ?? '').split('/');
  const generated = GENERATED_DIR.split('/');
  if (parts.length < generated.length + 2 || generated.some((p, i) => parts[i] !== p)) return null;
  return parts[generated.length];
}

function toLineageNode(node: ManifestNode): StoredLineageNode {
  const checkId = checkIdOf(node);
  const isSource = node.resource_type === 'source';
  const dataset = isSource ? (node.source_name === 'staging' ? node.name : null) : generatedDataset(node);
  let role: LineageNode['role'] = 'model';
  if (isSource) role = 'source';
  else if (node.resource_type === 'test') role = checkId ? 'check' : 'test';
  else if (dataset && node.name === `stg_${dataset}`) role = 'staging';
  else if (dataset && node.name === dataset) role = 'table';
  else if (dataset && node.name === `${dataset}__profile`) role = 'profile';
  const relationName = isSource ? (node.identifier ?? node.name) : (node.alias ?? node.name);
  return {
    id: node.unique_id,
    name: node.name,
    kind: node.resource_type,
    role,
    dataset,
    relation: node.resource_type === 'test' || !node.schema ? null : `${node.schema}.${relationName}`,
    materialized: isSource ? null : (node.config?.materialized ?? null),
    path: node.original_file_path ?? null,
    checkId,
  };
}

/**
 * The dataset's lineage: its staging source and everything downstream (its models,
 * tests and people's models), plus the direct parents of those nodes from
 * elsewhere (another dataset joined in a mart, the target of a relationships
 * check), so the board can draw where each input comes from.
 */
export function extractLineage(manifest: DbtManifest, dataset: string): StoredLineage {
  const source = Object.values(manifest.sources).find((s) => s.source_name === 'staging' && s.name === dataset);
  if (!source) return { nodes: [], edges: [] };
  const downstream = new Set<string>([source.unique_id]);
  const queue = [source.unique_id];
  while (queue.length) {
    for (const child of manifest.child_map[queue.shift()!] ?? []) {
      if (downstream.has(child) || !manifestNode(manifest, child)) continue;
      downstream.add(child);
      queue.push(child);
    }
  }
  const ids = new Set(downstream);
  const edges: LineageEdge[] = [];
  for (const id of downstream) {
    for (const parent of manifest.parent_map[id] ?? []) {
      const node = manifestNode(manifest, parent);
      // relayboard_meta holds headers and accepted values that models read as data: bookkeeping, not lineage.
      if (!node || (node.resource_type === 'source' && node.source_name === RELAYBOARD_META_SOURCE)) continue;
      ids.add(parent);
      edges.push({ from: parent, to: id });
    }
  }
  const nodes = [...ids]
    .map((id) => toLineageNode(manifestNode(manifest, id)!))
    .sort((a, b) => a.id.localeCompare(b.id));
  edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return { nodes, edges };
}
