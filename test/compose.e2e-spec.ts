import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerfileParser, type Flag, type Instruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';
import { loadConfig, REQUIRED_SETTINGS, SETTING_NAMES, settingDefaults } from '@relayboard/config';

/**
 * No Docker engine is needed (or assumed): docker-compose 1.29 validates and
 * normalises the file offline, and the Dockerfile is read with dockerfile-ast.
 * Nothing here builds or runs an image.
 */
const root = path.resolve(__dirname, '..');

interface ComposeService {
  build?: { context: string; dockerfile?: string; target?: string };
  image?: string;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  volumes?: ({ type?: string; source?: string; target?: string } | string)[];
}
interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** `docker-compose config`: the file interpolated and normalised, as Compose would run it. */
function composeConfig(): ComposeConfig {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SECRETS_KEY: process.env.SECRETS_KEY ?? 'validate-only-stand-in-key' },
  });
  if (result.status !== 0) throw new Error(`docker-compose config failed: ${result.stderr}`);
  return parseYaml(result.stdout) as ComposeConfig;
}

interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages in order, each with its own instructions (FROM excluded). */
function stagesOf(file: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(readFileSync(file, 'utf8')).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const words = args.filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toLowerCase() === 'as');
      stages.push({ name: as >= 0 ? words[as + 1].toLowerCase() : null, base: words[0], instructions: [] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage and the stages it is built FROM, nearest first (an instruction there is inherited). */
function lineage(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  for (;;) {
    const current = chain[chain.length - 1];
    const index = stages.indexOf(current);
    const parent = stages.slice(0, index).find((s) => s.name !== null && s.name === current.base.toLowerCase());
    if (!parent) return chain;
    chain.push(parent);
  }
}

/** The last instruction with this keyword that applies to the stage (its own, else inherited). */
function effective(stages: Stage[], stage: Stage, keyword: string): Instruction | undefined {
  for (const s of lineage(stages, stage)) {
    const found = s.instructions.filter((i) => i.getKeyword() === keyword).pop();
    if (found) return found;
  }
  return undefined;
}

/** Whether .dockerignore leaves the path out of the build context (plain paths and `**\/name` patterns, as ours are written). */
function ignoredByDockerignore(patterns: string[], source: string): boolean {
  const parts = path
    .normalize(source)
    .split(path.sep)
    .filter((p) => p && p !== '.');
  return patterns.some((pattern) => {
    const anyDepth = pattern.startsWith('**/');
    const plain = pattern.replace(/^\*\*\//, '').replace(/\/$/, '');
    if (/[*?[]/.test(plain)) return false;
    const want = plain.split('/');
    for (let start = 0; start <= (anyDepth ? parts.length - want.length : 0); start++) {
      if (want.every((w, i) => parts[start + i] === w)) return true;
    }
    return false;
  });
}

describe('docker-compose.yml', () => {
  const config = composeConfig();
  const services = Object.entries(config.services);
  const built = services.filter(([, svc]) => svc.build);

  it('validates offline and declares every service with its ports and healthchecks', () => {
    const result = spawnSync('bash', [path.join(root, 'infra', 'compose', 'validate.sh')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/ERROR|problem/i);
    expect(result.status).toBe(0);
  });

  it('gives every service a healthcheck, waits for healthy dependencies, and keeps data in named volumes', () => {
    expect(services.map(([name]) => name).sort()).toEqual(['api', 'minio', 'postgres', 'redis', 'web', 'worker']);
    for (const [name, svc] of services) {
      expect({ name, healthcheck: Boolean(svc.healthcheck?.test) && !svc.healthcheck?.disable }).toEqual({
        name,
        healthcheck: true,
      });
      expect({ name, test: String(svc.healthcheck?.test) }).not.toEqual({ name, test: expect.stringMatching(/^NONE/) });
      const deps = svc.depends_on ?? {};
      const conditions = Array.isArray(deps)
        ? deps.map((dep) => [dep, undefined])
        : Object.entries(deps).map(([dep, d]) => [dep, d.condition]);
      for (const [dep, condition] of conditions)
        expect({ name, dep, condition }).toEqual({ name, dep, condition: 'service_healthy' });
      for (const volume of svc.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        // A named volume, declared at the top level (no host paths).
        expect({ name, source, declared: Object.keys(config.volumes ?? {}).includes(source ?? '') }).toEqual({
          name,
          source,
          declared: true,
        });
      }
    }
    expect(
      Object.fromEntries(
        ['api', 'worker', 'web'].map((name) => [name, Object.keys(config.services[name].depends_on ?? {}).length > 0]),
      ),
    ).toEqual({ api: true, worker: true, web: true });
  });

  it('builds every app from an existing Dockerfile and target whose final stage runs as non-root with a HEALTHCHECK', () => {
    expect(built.map(([name]) => name).sort()).toEqual(['api', 'web', 'worker']);
    for (const [name, svc] of built) {
      const context = path.resolve(root, svc.build!.context);
      const dockerfile = path.resolve(context, svc.build!.dockerfile ?? 'Dockerfile');
      expect({ name, dockerfile: path.relative(root, dockerfile), exists: existsSync(dockerfile) }).toEqual({
        name,
        dockerfile: path.relative(root, dockerfile),
        exists: true,
      });
      const stages = stagesOf(dockerfile);
      const target = (svc.build!.target ?? '').toLowerCase();
      const stage = stages.find((s) => s.name === target);
      expect({ name, target, found: Boolean(stage) }).toEqual({ name, target, found: true });
      const user = effective(stages, stage!, 'USER')?.getArgumentsContent()?.trim() ?? 'root (no USER)';
      expect({ name, user }).toEqual({ name, user: expect.not.stringMatching(/^(root|0)(:|$|\s)/) });
      const healthcheck = effective(stages, stage!, 'HEALTHCHECK')?.getArgumentsContent() ?? 'none';
      expect({ name, healthcheck }).toEqual({ name, healthcheck: expect.stringMatching(/\bCMD\b/) });
    }
  });

  it('copies only paths that exist in the build context, or come from an earlier stage', () => {
    for (const [name, svc] of built) {
      const context = path.resolve(root, svc.build!.context);
      const dockerfile = path.resolve(context, svc.build!.dockerfile ?? 'Dockerfile');
      const ignorePath = path.join(context, '.dockerignore');
      const patterns = existsSync(ignorePath)
        ? readFileSync(ignorePath, 'utf8')
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
        : [];
      const stages = stagesOf(dockerfile);
      stages.forEach((stage, index) => {
        const earlier = new Set(stages.slice(0, index).map((s) => s.name));
        for (const copy of stage.instructions.filter((i) => i.getKeyword() === 'COPY' || i.getKeyword() === 'ADD')) {
          // dockerfile-ast keeps flags (--from, --chown) apart from the arguments.
          const words = copy.getArguments().map((a) => a.getValue());
          const flags = 'getFlags' in copy ? (copy as unknown as { getFlags(): Flag[] }).getFlags() : [];
          const from = flags
            .find((f) => f.getName() === 'from')
            ?.getValue()
            ?.toLowerCase();
          if (from) {
            // A stage defined above (an image reference would name a registry or tag).
            expect({ name, copy: copy.getRawArgumentsContent(), from, earlierStage: earlier.has(from) }).toEqual({
              name,
              copy: copy.getRawArgumentsContent(),
              from,
              earlierStage: true,
            });
            continue;
          }
          for (const source of words.filter((w) => !w.startsWith('--')).slice(0, -1)) {
            const where = { name, stage: stage.name, source };
            expect({ ...where, exists: existsSync(path.join(context, source)) }).toEqual({ ...where, exists: true });
            if (source !== '.')
              expect({ ...where, ignored: ignoredByDockerignore(patterns, source) }).toEqual({
                ...where,
                ignored: false,
              });
          }
        }
      });
    }
  });

  it('sets only real settings of packages/config for the api and the worker, and every required one, with valid values', () => {
    const noDefault = SETTING_NAMES.filter((name) => !(name in settingDefaults()));
    expect(noDefault).toEqual(expect.arrayContaining([...REQUIRED_SETTINGS]));
    for (const name of ['api', 'worker']) {
      const environment = Object.fromEntries(
        Object.entries(config.services[name].environment ?? {}).map(([k, v]) => [k, v ?? '']),
      );
      const unknown = Object.keys(environment).filter((key) => !SETTING_NAMES.includes(key));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
      const missing = REQUIRED_SETTINGS.filter((key) => !environment[key]);
      expect({ name, missing }).toEqual({ name, missing: [] });
      // The values parse: a bad one would stop the container at start.
      const loaded = loadConfig(environment);
      expect(loaded.env).toBe('production');
      if (name === 'worker') expect(loaded.worker.heartbeatFile).toBe('/tmp/relayboard-worker.heartbeat');
    }
  });

  it("the worker image's healthcheck script passes on a fresh heartbeat and fails on a stale or missing one", () => {
    const script = path.join(root, 'apps', 'worker', 'dist', 'health', 'healthcheck.js');
    expect(config.services.worker.healthcheck?.test).toEqual(['CMD', 'node', path.relative(root, script)]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-compose-'));
    try {
      const file = path.join(dir, 'worker.heartbeat');
      const run = () =>
        spawnSync('node', [script], {
          cwd: root,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, WORKER_HEARTBEAT_FILE: file, WORKER_HEARTBEAT_MS: '1000' },
        });
      expect(run().status).toBe(1);
      writeFileSync(file, '{}');
      const fresh = run();
      expect(`${fresh.status} ${fresh.stdout}${fresh.stderr}`).toMatch(/^0 worker alive/);
      const old = new Date(Date.now() - 60_000);
      utimesSync(file, old, old);
      const stale = run();
      expect(`${stale.status} ${stale.stderr}`).toMatch(/^1 worker unhealthy: .*stuck or shutting down/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
