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

/** A people's file that reads the dataset list itself may depend on any dataset, named or not. */
const READS_DATASET_LIST = 'RELAYBOARD_DATASETS';
/** Relayboard's own macro that reads the list, for relayboard_dataset_exists('<name>'): its callers name the dataset. */
const DATASET_LIST_MACRO = 'macros/relayboard_dataset_exists.sql';

/** The project as it decides which people's models a selection reaches. */
export interface ProjectState {
  /** Changes when a people's file changes, or a dataset that people's files may depend on comes or goes. */
  fingerprint: string;
  /**
   * Whether people's files may depend on this dataset: its name appears in one of
   * them (relayboard_dataset_exists('<name>'), ref('<name>')...), or one reads the
   * whole dataset list, or one is too large to read.
   */
  mayDependOn(dataset: string): boolean;
}

/**
 * Reads everything in the dbt project that decides which people's models a
 * selection reaches: every file outside Relayboard's generated area and dbt's
 * output (models, macros, dbt_project.yml...), and the datasets those files may
 * depend on. The generated files do not change what is downstream of a dataset,
 * so they are left out; and a dataset no people's file names cannot enable,
 * disable or feed a people's model (relayboard_dataset_exists() and ref() take
 * its name), so datasets nobody names come and go without changing the fingerprint.
 */
export async function projectState(projectDir: string, datasets: string[]): Promise<ProjectState> {
  const files = createHash('sha256');
  const texts: string[] = [];
  let unread = false;
  let readsList = false;
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
        if (info.size <= HASHED_BYTES) {
          const content = await readFile(file);
          files.update(`${rel} ${createHash('sha256').update(content).digest('hex')}\n`);
          const text = content.toString('utf8');
          texts.push(text);
          if (rel !== DATASET_LIST_MACRO && text.includes(READS_DATASET_LIST)) readsList = true;
        } else {
          files.update(`${rel} ${info.size} ${info.mtimeMs}\n`);
          // A seed, mostly; it could still be anything, so every dataset counts.
          if (!/\.(csv|tsv|parquet|json)$/i.test(entry.name)) unread = true;
        }
      }
    }
  };
  await walk('');
  const everyDataset = unread || readsList;
  const mayDependOn = (dataset: string) => everyDataset || texts.some((text) => text.includes(dataset));
  const named = datasets.filter(mayDependOn).sort();
  files.update(`datasets ${everyDataset ? 'all' : 'named'} ${named.join(',')}\n`);
  return { fingerprint: files.digest('hex'), mayDependOn };
}

/** projectState()'s fingerprint alone. */
export async function fingerprint(projectDir: string, datasets: string[]): Promise<string> {
  return (await projectState(projectDir, datasets)).fingerprint;
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

/**
 * What the build of this dataset locks: its people's models when the saved state
 * matches the project now, else all of them. A dataset the last parse did not have
 * (a new one, mostly) selects none of people's models when none of their files names it.
 */
export function lockPlan(
  state: SelectionState | null,
  now: string,
  dataset: string,
  mayDependOn: (dataset: string) => boolean = () => true,
): BuildLockPlan {
  if (!state) return { kind: 'all', reason: 'no dbt manifest on this worker yet' };
  if (state.fingerprint !== now)
    return { kind: 'all', reason: "people's dbt files, or datasets they name, changed since the last parse" };
  const models = state.bySource[dataset];
  if (models) return { kind: 'models', models };
  if (!mayDependOn(dataset)) return { kind: 'models', models: [] };
  return { kind: 'all', reason: `the last parse had no staging source for ${dataset}, and people's dbt files name it` };
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
