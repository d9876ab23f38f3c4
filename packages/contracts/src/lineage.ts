import { z } from 'zod';

/**
 * What a node is to the dataset: its raw source, Relayboard's generated models
 * (staging view, warehouse table, profile), a declared check, another dbt test,
 * or a model someone wrote.
 */
export const LINEAGE_ROLES = ['source', 'staging', 'table', 'profile', 'check', 'test', 'model'] as const;
export const lineageRoleSchema = z.enum(LINEAGE_ROLES);
export type LineageRole = z.infer<typeof lineageRoleSchema>;

export const lineageNodeSchema = z.object({
  /** dbt's unique_id. */
  id: z.string(),
  name: z.string(),
  /** dbt's resource type: source, model, test, seed, snapshot. */
  kind: z.string(),
  role: lineageRoleSchema,
  /** The dataset whose generated files hold the node; null for people's models. */
  dataset: z.string().nullable(),
  /** `schema.table` for sources and models. */
  relation: z.string().nullable(),
  materialized: z.string().nullable(),
  /** The file in the dbt project. */
  path: z.string().nullable(),
  checkId: z.string().nullable(),
  /** The node's status in the run that recorded this lineage; null when that run did not run it. */
  status: z.string().nullable(),
});
export type LineageNode = z.infer<typeof lineageNodeSchema>;

export const lineageEdgeSchema = z.object({ from: z.string(), to: z.string() });
export type LineageEdge = z.infer<typeof lineageEdgeSchema>;

export const datasetLineageSchema = z.object({
  dataset: z.string(),
  /** The run whose dbt manifest this is; null before the dataset's first build. */
  runId: z.string().nullable(),
  builtAt: z.string().nullable(),
  nodes: z.array(lineageNodeSchema),
  edges: z.array(lineageEdgeSchema),
});
export type DatasetLineage = z.infer<typeof datasetLineageSchema>;
