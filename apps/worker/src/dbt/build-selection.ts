import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BuildLockPlan } from '@relayboard/db';
import { GENERATED_DIR } from './dbt-files';
import type { DbtManifest } from './lineage';

/**
 * What the latest manifest says each dataset's build selects of people's models,
 * kept next to the shared partial-parse state: read before a build to know which
 * models it must lock, without a `dbt ls` (a parse) per run.
 */
export interface SelectionState {
  /** fingerprint() of the project's people's files and datasets when that manifest was parsed. */
  fingerprint: string;
  /** The people's models (unique ids) downstream of each dataset's staging source. */
  bySource: Record<string, string[]>;
}

/** Folders of the project that are not people's files: dbt's output, packages, and Relayboard's generated area. */
const NOT_PEOPLES = new Set(['target', 'logs', 'dbt_packages', 'node_modules', GENERATED_DIR]);
/** Files hashed by content up to this size; larger ones (seeds, say) by size and mtime. */
const HASHED_BYTES = 1024 * 1024;

/**
 * A hash of everything in the dbt project that decides which people's models a
 * selection reaches: every file outside Relayboard's generated area and dbt's
 * output (models, macros, dbt_project.yml...), and the datasets in the project
 * (relayboard_dataset_exists() enables models by them). The generated files do
 * not change what is downstream of a dataset, so they are left out.
 */
export async function fingerprint(projectDir: string, datasets: string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`datasets ${[...datasets].sort().join(',')}\n`);
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(projectDir, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (NOT_PEOPLES.has(rel) || entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
      if (entry.isDirectory()) {
        await walk(rel);
      } else if (entry.isFile()) {
        const file = path.join(projectDir, rel);
        const info = await stat(file).catch(() => null);
        if (!info) continue;
        if (info.size <= HASHED_BYTES) hash.update(`${rel} ${createHash('sha256').update(await readFile(file)).digest('hex')}\n`);
        else hash.update(`${rel} ${info.size} ${info.mtimeMs}\n`);
      }
    }
  };
  await walk('');
  return hash.digest('hex');
}

function isPeoplesModel(manifest: DbtManifest, id: string): boolean {
  const node = manifest.nodes[id];
  if (!node || !['model', 'snapshot', 'seed'].includes(node.resource_type)) return false;
  const file = node.original_file_path ?? '';
  return !(file === GENERATED_DIR || file.startsWith(`${GENERATED_DIR}/`));
}

/** For each dataset's staging source: the people's models downstream of it (what `source:staging.<dataset>+` builds of theirs). */
export function peoplesModelsBySource(manifest: DbtManifest): Record<string, string[]> {
  const bySource: Record<string, string[]> = {};
  for (const source of Object.values(manifest.sources)) {
    if (source.source_name !== 'staging') continue;
    const seen = new Set<string>([source.unique_id]);
    const queue = [source.unique_id];
    const models: string[] = [];
    while (queue.length) {
      for (const child of manifest.child_map[queue.shift()!] ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        queue.push(child);
        if (isPeoplesModel(manifest, child)) models.push(child);
      }
    }
    bySource[source.name] = models.sort();
  }
  return bySource;
}

/** What the build of this dataset locks: its people's models when the saved state matches the project now, else all of them. */
export function lockPlan(state: SelectionState | null, now: string, dataset: string): BuildLockPlan {
  if (!state) return { kind: 'all', reason: 'no dbt manifest on this worker yet' };
  if (state.fingerprint !== now) return { kind: 'all', reason: "people's dbt files or the project's datasets changed since the last parse" };
  const models = state.bySource[dataset];
  if (!models) return { kind: 'all', reason: `the last parse had no staging source for ${dataset}` };
  return { kind: 'models', models };
}

export async function readSelectionState(file: string): Promise<SelectionState | null> {
  if (!existsSync(file)) return null;
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as SelectionState;
    return typeof state.fingerprint === 'string' && state.bySource && typeof state.bySource === 'object' ? state : null;
  } catch {
    return null;
  }
}
