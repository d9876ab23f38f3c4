import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function findRepoRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dir === path.dirname(dir))
      throw new Error(`no pnpm-workspace.yaml above ${start}: run the benchmark from the Relayboard checkout`);
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);

/**
 * Loads a workspace module from its build by absolute path: the benchmark measures
 * exactly what `pnpm build:ts` produced, and compiled bench files sit one folder
 * deeper than their sources, so relative runtime imports would not line up.
 */
export function requireBuilt<T>(relativePath: string): T {
  const file = path.join(REPO_ROOT, relativePath);
  if (!existsSync(file))
    throw new Error(`${relativePath} is missing: build the workspace first with \`pnpm build:ts\``);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built CommonJS module, found at run time
  return require(file) as T;
}

function newestFile(dir: string, matches: (name: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestFile(full, matches));
    else if (matches(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Workspace packages whose sources changed after their last build: the benchmark would measure old code. */
export function staleBuilds(packages: string[]): string[] {
  return packages.filter((pkg) => {
    const src = path.join(REPO_ROOT, pkg, 'src');
    const dist = path.join(REPO_ROOT, pkg, 'dist');
    if (!existsSync(src) || !existsSync(dist)) return false;
    const sources = newestFile(src, (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'));
    return sources > newestFile(dist, (name) => name.endsWith('.js'));
  });
}

/** A copy of the repository's dbt project in `dir`, without its build output or generated datasets: a benchmark stack's own project. */
export function copyDbtProject(dir: string): string {
  const skip = new Set(
    ['target', 'logs', '.user.yml', path.join('models', 'relayboard')].map((p) => path.join(REPO_ROOT, 'dbt', p)),
  );
  cpSync(path.join(REPO_ROOT, 'dbt'), dir, { recursive: true, filter: (source) => !skip.has(source) });
  return dir;
}
