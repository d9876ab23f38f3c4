#!/usr/bin/env bash
# Validates docker-compose.yml (and the Dockerfile targets it builds) without a
# Docker engine: Debian's docker-compose 1.29 checks the file offline, then the
# normalised `docker-compose config` output is checked for what Relayboard needs.
#
# Usage: infra/compose/validate.sh            (from anywhere; exit 0 = valid)
# Installs docker-compose (without the engine) when it is missing; that needs root.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
compose_file="$repo_root/docker-compose.yml"
dockerfile="$repo_root/infra/docker/Dockerfile"

fail() {
  echo "validate.sh: FAIL: $*" >&2
  exit 1
}

[[ -f "$compose_file" ]] || fail "missing $compose_file"
[[ -f "$dockerfile" ]] || fail "missing $dockerfile"
command -v node >/dev/null 2>&1 || fail "node is required to check the compose configuration"

if ! command -v docker-compose >/dev/null 2>&1; then
  # Without --no-install-recommends apt pulls in the whole Docker engine.
  echo "docker-compose not found: installing Debian's docker-compose (no engine)"
  if [[ "$(id -u)" != 0 ]]; then
    fail "docker-compose is missing and installing it needs root (apt-get install -y --no-install-recommends docker-compose)"
  fi
  apt_log="$(mktemp)"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose; } >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    rm -f "$apt_log"
    fail "could not install docker-compose with apt-get"
  fi
  rm -f "$apt_log"
fi
echo "using: $(docker-compose version --short 2>/dev/null || docker-compose --version)"

cd "$repo_root"

# Keys that Compose v2 accepts but 1.29 rejects; checked on the source too, in
# case the docker-compose found on PATH is a v2 binary.
if grep -nE '^name:' "$compose_file" >&2; then
  fail "docker-compose.yml has a top-level 'name:' (docker-compose 1.29 rejects it)"
fi
if grep -nE '^[[:space:]]+required:' "$compose_file" >&2; then
  fail "docker-compose.yml uses 'depends_on.<service>.required' (docker-compose 1.29 rejects it)"
fi

# SECRETS_KEY has no default: docker-compose.yml requires it. Check that it
# still does (with an empty env file, so a local .env cannot supply it), then
# validate with a stand-in value when none is set.
empty_env="$(mktemp)"
if env -u SECRETS_KEY docker-compose --env-file "$empty_env" -f docker-compose.yml config -q >/dev/null 2>&1; then
  rm -f "$empty_env"
  fail "docker-compose.yml starts without SECRETS_KEY; keep it required: SECRETS_KEY: \${SECRETS_KEY:?...}"
fi
rm -f "$empty_env"
echo "ok: docker-compose.yml requires SECRETS_KEY"
export SECRETS_KEY="${SECRETS_KEY:-validate-only-stand-in-key}"

if ! config_errors="$(docker-compose -f docker-compose.yml config -q 2>&1)"; then
  echo "$config_errors" >&2
  fail "docker-compose -f docker-compose.yml config -q rejected the file"
fi
echo "ok: docker-compose -f docker-compose.yml config -q"

config_out="$(mktemp)"
trap 'rm -f "$config_out"' EXIT
docker-compose -f docker-compose.yml config >"$config_out" 2>/dev/null \
  || fail "docker-compose -f docker-compose.yml config failed"

# The normalised output has a fixed shape: services at two spaces, their keys at
# four, nested keys deeper. Ports come out long-form (published/target) from
# 1.29 and v2; the short "host:container" form is read too.
node - "$config_out" "$dockerfile" "$repo_root" <<'NODE'
const fs = require('node:fs');
const path = require('node:path');
const [configPath, dockerfilePath, repoRoot] = process.argv.slice(2);

const services = new Map();
let topKey = null;
let service = null;
let key = null;
let dependency = null;
for (const line of fs.readFileSync(configPath, 'utf8').split('\n')) {
  if (!line.trim() || line.trim().startsWith('#')) continue;
  const top = /^([A-Za-z_][\w.-]*):/.exec(line);
  if (top) { topKey = top[1]; service = null; continue; }
  if (topKey !== 'services') continue;
  const svc = /^  ([A-Za-z0-9][\w.-]*):\s*$/.exec(line);
  if (svc) {
    service = { name: svc[1], ports: [], healthcheck: false, healthDisabled: false, buildTarget: null, dockerfile: null, build: false, healthyDeps: [] };
    services.set(svc[1], service);
    key = null;
    continue;
  }
  if (!service) continue;
  const k = /^    ([A-Za-z_][\w.-]*):(?:\s+(.*))?$/.exec(line);
  if (k) {
    key = k[1];
    dependency = null;
    if (key === 'healthcheck') service.healthcheck = true;
    if (key === 'build') service.build = true;
    continue;
  }
  const text = line.trim();
  if (key === 'ports') {
    const published = /^(?:-\s+)?published:\s*["']?(\d+)["']?\s*$/.exec(text);
    if (published) service.ports.push(Number(published[1]));
    const short = /^-\s+["']?(?:[\d.]+:)?(\d+)(?:-\d+)?:(\d+)(?:\/\w+)?["']?\s*$/.exec(text);
    if (short) service.ports.push(Number(short[1]));
  } else if (key === 'healthcheck') {
    if (/^disable:\s*true\s*$/.test(text)) service.healthDisabled = true;
    if (/^test:\s*\[?\s*["']?NONE["']?/.test(text)) service.healthDisabled = true;
  } else if (key === 'build') {
    const target = /^target:\s*["']?([^"'\s]+)["']?\s*$/.exec(text);
    if (target) service.buildTarget = target[1];
    const file = /^dockerfile:\s*["']?([^"'\s]+)["']?\s*$/.exec(text);
    if (file) service.dockerfile = file[1];
  } else if (key === 'depends_on') {
    const dep = /^      ([A-Za-z0-9][\w.-]*):\s*$/.exec(line);
    if (dep) dependency = dep[1];
    if (dependency && /^condition:\s*service_healthy\s*$/.test(text)) service.healthyDeps.push(dependency);
  }
}

const problems = [];
const checked = [];
const required = ['postgres', 'redis', 'minio', 'api', 'worker', 'web'];
const missing = required.filter((name) => !services.has(name));
if (missing.length) problems.push(`missing services: ${missing.join(', ')}`);
else checked.push(`services present: ${required.join(', ')}`);

const expectedPorts = { postgres: [5433], minio: [9000, 9001], api: [4000], web: [3000] };
for (const [name, ports] of Object.entries(expectedPorts)) {
  const svc = services.get(name);
  if (!svc) continue;
  for (const port of ports) {
    if (svc.ports.includes(port)) checked.push(`${name} publishes host port ${port}`);
    else problems.push(`${name} does not publish host port ${port} (publishes: ${svc.ports.join(', ') || 'none'})`);
  }
}

for (const svc of services.values()) {
  const healthy = svc.healthcheck && !svc.healthDisabled;
  if (svc.ports.length && !healthy) problems.push(`${svc.name} publishes ports but has no healthcheck`);
  else if (svc.ports.length) checked.push(`${svc.name} has a healthcheck`);
  for (const dep of svc.healthyDeps) {
    const target = services.get(dep);
    if (!target) problems.push(`${svc.name} depends on unknown service ${dep}`);
    else if (!target.healthcheck || target.healthDisabled) problems.push(`${svc.name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
  }
}
for (const name of ['postgres', 'redis', 'minio']) {
  const svc = services.get(name);
  if (svc && !(svc.healthcheck && !svc.healthDisabled)) problems.push(`${name} has no healthcheck`);
  else if (svc && !svc.ports.length) checked.push(`${name} has a healthcheck`);
}

const dockerfileText = fs.readFileSync(dockerfilePath, 'utf8');
const stages = new Set(
  [...dockerfileText.matchAll(/^\s*FROM\s+\S+(?:\s+--platform=\S+)?\s+AS\s+([\w.-]+)\s*$/gim)].map((m) => m[1].toLowerCase()),
);
for (const name of ['api', 'worker', 'web']) {
  const svc = services.get(name);
  if (!svc) continue;
  if (!svc.build) { problems.push(`${name} is not built from infra/docker/Dockerfile (no build section)`); continue; }
  if (!svc.buildTarget) problems.push(`${name} has no build target`);
  if (svc.dockerfile && path.normalize(svc.dockerfile) !== path.normalize('infra/docker/Dockerfile')) {
    problems.push(`${name} builds from ${svc.dockerfile}, expected infra/docker/Dockerfile`);
  }
}
for (const svc of services.values()) {
  if (!svc.buildTarget) continue;
  if (stages.has(svc.buildTarget.toLowerCase())) checked.push(`Dockerfile has target '${svc.buildTarget}' (service ${svc.name})`);
  else problems.push(`service ${svc.name} builds target '${svc.buildTarget}', but infra/docker/Dockerfile has no 'FROM ... AS ${svc.buildTarget}'`);
}

// COPY sources from the build context (not --from another stage) must exist,
// or `docker build` fails at that step.
const dockerignore = path.join(repoRoot, '.dockerignore');
if (!fs.existsSync(dockerignore)) problems.push('.dockerignore is missing (the build context would include node_modules)');
else if (!/^\**\/?node_modules\/?$/m.test(fs.readFileSync(dockerignore, 'utf8'))) problems.push('.dockerignore does not exclude node_modules');
else checked.push('.dockerignore excludes node_modules');
for (const match of dockerfileText.matchAll(/^\s*(?:COPY|ADD)\s+(.+)$/gim)) {
  const words = match[1].trim().split(/\s+/);
  if (words.some((w) => w.startsWith('--from='))) continue;
  const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
  for (const source of sources) {
    if (fs.existsSync(path.join(repoRoot, source))) checked.push(`Dockerfile COPY source exists: ${source}`);
    else problems.push(`infra/docker/Dockerfile copies '${source}', which does not exist in the repository`);
  }
}

for (const line of checked) console.log(`ok: ${line}`);
if (problems.length) {
  for (const problem of problems) console.error(`validate.sh: FAIL: ${problem}`);
  process.exit(1);
}
console.log(`docker-compose.yml is valid (${services.size} services)`);
NODE
