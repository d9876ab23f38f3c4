import { copyFile, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { datasetDir, GENERATED_DIR } from './dbt-files';

/** What the run project needs of a dataset: its name and where its relationships checks point. */
export interface RunProjectDataset {
  name: string;
  /** The datasets its relationships checks point at (their tests ref those datasets' warehouse tables). */
  refersTo: string[];
}

/**
 * The datasets a build of `dataset` needs in its project, so that it parses and
 * selects what it would in the whole project:
 * - the dataset itself;
 * - every dataset people's files may depend on (mayDependOn: their files name it),
 *   since a people's model or test downstream of this dataset may ref it, and
 *   relayboard_dataset_exists() must answer as in the whole project;
 * - every dataset whose relationships check points at this one: that test is
 *   downstream of this dataset's table, so `source:staging.<dataset>+` runs it;
 * - and, until nothing more is added, the datasets those datasets' relationships
 *   checks point at, without which their tests would not parse.
 * Sorted by name. Datasets that are not in `inProject` never enter.
 */
export function runProjectDatasets(
  dataset: string,
  inProject: RunProjectDataset[],
  mayDependOn: (dataset: string) => boolean,
): string[] {
  const byName = new Map(inProject.map((d) => [d.name, d]));
  const wanted = new Set<string>();
  const queue: string[] = [];
  const add = (name: string) => {
    if (wanted.has(name) || !byName.has(name)) return;
    wanted.add(name);
    queue.push(name);
  };
  add(dataset);
  for (const d of inProject) if (mayDependOn(d.name) || d.refersTo.includes(dataset)) add(d.name);
  while (queue.length) for (const target of byName.get(queue.shift()!)!.refersTo) add(target);
  return [...wanted].sort();
}

/** The generated files of these datasets, out of the whole project's files (paths relative to the project). */
export function filesOf(files: Map<string, string>, datasets: string[]): Map<string, string> {
  const prefixes = datasets.map((d) => `${datasetDir(d)}/`);
  return new Map([...files].filter(([file]) => prefixes.some((prefix) => file.startsWith(prefix))));
}

/** Entries of the dbt project that a run project does not take: dbt's output and the models (copied apart). */
const NOT_LINKED = new Set(['target', 'logs', 'models']);

/**
 * Writes a run's own dbt project at `runDir`: the project's own files as they are
 * (dbt_project.yml, macros, tests, seeds, packages... linked), its models folder
 * copied without Relayboard's generated area, and the generated files of the
 * run's datasets only. dbt then parses what the build needs, not every dataset
 * registered. dbt does not follow linked folders inside a searched path, so
 * the models folder is copied, not linked; a copy also keeps the build's files
 * fixed while people edit theirs.
 */
export async function writeRunProject(
  projectDir: string,
  runDir: string,
  generated: Map<string, string>,
): Promise<void> {
  await mkdir(runDir, { recursive: true });
  for (const entry of await readdir(projectDir, { withFileTypes: true })) {
    if (NOT_LINKED.has(entry.name) || entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
    await symlink(path.join(projectDir, entry.name), path.join(runDir, entry.name));
  }
  const copy = async (relative: string): Promise<void> => {
    await mkdir(path.join(runDir, relative), { recursive: true });
    const entries = await readdir(path.join(projectDir, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const rel = `${relative}/${entry.name}`;
      if (rel === GENERATED_DIR || entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
      if (entry.isDirectory()) await copy(rel);
      else if (entry.isFile() || entry.isSymbolicLink())
        await copyFile(path.join(projectDir, rel), path.join(runDir, rel)).catch(() => undefined);
    }
  };
  await copy('models');
  for (const [relative, content] of generated) {
    const file = path.join(runDir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}
