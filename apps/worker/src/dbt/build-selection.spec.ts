import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fingerprint, lockPlan, peoplesModelsBySource, projectState } from './build-selection';
import type { DbtManifest, ManifestNode } from './lineage';

const model = (name: string, file: string): ManifestNode => ({
  unique_id: `model.relayboard.${name}`,
  name,
  resource_type: 'model',
  original_file_path: file,
});
const source = (name: string): ManifestNode => ({
  unique_id: `source.relayboard.staging.${name}`,
  name,
  resource_type: 'source',
  source_name: 'staging',
});

/** orders and customers each have generated models; a person's mart refs both, and a report refs the mart. */
function manifest(): DbtManifest {
  const nodes = [
    model('stg_orders', 'models/relayboard/orders/stg_orders.sql'),
    model('orders', 'models/relayboard/orders/orders.sql'),
    model('stg_customers', 'models/relayboard/customers/stg_customers.sql'),
    model('customers', 'models/relayboard/customers/customers.sql'),
    model('revenue', 'models/marts/revenue.sql'),
    model('report', 'models/marts/report.sql'),
    model('orders_only', 'models/marts/orders_only.sql'),
    { unique_id: 'test.relayboard.not_null_orders_id.1', name: 'not_null_orders_id', resource_type: 'test' },
  ];
  return {
    nodes: Object.fromEntries(nodes.map((n) => [n.unique_id, n])),
    sources: {
      [source('orders').unique_id]: source('orders'),
      [source('customers').unique_id]: source('customers'),
      [source('lonely').unique_id]: source('lonely'),
    },
    child_map: {
      'source.relayboard.staging.orders': ['model.relayboard.stg_orders'],
      'model.relayboard.stg_orders': ['model.relayboard.orders', 'model.relayboard.orders_only'],
      'model.relayboard.orders': ['model.relayboard.revenue', 'test.relayboard.not_null_orders_id.1'],
      'source.relayboard.staging.customers': ['model.relayboard.stg_customers'],
      'model.relayboard.stg_customers': ['model.relayboard.customers'],
      'model.relayboard.customers': ['model.relayboard.revenue'],
      'model.relayboard.revenue': ['model.relayboard.report'],
    },
    parent_map: {},
  };
}

describe("the people's models a dataset's build selects", () => {
  it('are the non-generated models downstream of its staging source, however deep', () => {
    expect(peoplesModelsBySource(manifest())).toEqual({
      orders: ['model.relayboard.orders_only', 'model.relayboard.report', 'model.relayboard.revenue'],
      customers: ['model.relayboard.report', 'model.relayboard.revenue'],
      lonely: [],
    });
  });

  it('are locked one by one when the saved state matches the project, else all at once', () => {
    const state = { fingerprint: 'f1', bySource: peoplesModelsBySource(manifest()) };
    expect(lockPlan(state, 'f1', 'customers')).toEqual({
      kind: 'models',
      models: ['model.relayboard.report', 'model.relayboard.revenue'],
    });
    expect(lockPlan(state, 'f1', 'lonely')).toEqual({ kind: 'models', models: [] });
    expect(lockPlan(state, 'f2', 'customers')).toMatchObject({
      kind: 'all',
      reason: expect.stringContaining('changed since the last parse'),
    });
    expect(lockPlan(state, 'f1', 'newcomer')).toMatchObject({
      kind: 'all',
      reason: expect.stringContaining('no staging source for newcomer'),
    });
    // A dataset the last parse did not have, that no people's file names, selects none of their models.
    expect(lockPlan(state, 'f1', 'newcomer', (d) => d !== 'newcomer')).toEqual({ kind: 'models', models: [] });
    expect(lockPlan(state, 'f1', 'newcomer', (d) => d === 'newcomer')).toMatchObject({
      kind: 'all',
      reason: expect.stringContaining("people's dbt files name it"),
    });
    expect(lockPlan(null, 'f1', 'orders')).toMatchObject({ kind: 'all' });
  });
});

describe("the project's fingerprint", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rb-fingerprint-'));
    mkdirSync(path.join(dir, 'models', 'marts'), { recursive: true });
    mkdirSync(path.join(dir, 'models', 'relayboard', 'orders'), { recursive: true });
    mkdirSync(path.join(dir, 'target'), { recursive: true });
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: relayboard\n');
    writeFileSync(path.join(dir, 'models', 'marts', 'revenue.sql'), 'select 1\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("changes with people's files and the datasets they name, not with generated files or dbt's output", async () => {
    const before = await fingerprint(dir, ['orders', 'customers']);
    expect(await fingerprint(dir, ['customers', 'orders'])).toBe(before);
    writeFileSync(path.join(dir, 'models', 'relayboard', 'orders', 'stg_orders.sql'), 'select 2\n');
    writeFileSync(path.join(dir, 'target', 'manifest.json'), '{}');
    expect(await fingerprint(dir, ['orders', 'customers'])).toBe(before);

    // No people's file names either dataset yet: they come and go without changing it.
    expect(await fingerprint(dir, ['orders'])).toBe(before);
    writeFileSync(
      path.join(dir, 'models', 'marts', 'revenue.sql'),
      "{{ config(enabled=relayboard_dataset_exists('customers')) }}\nselect 1\n",
    );
    const edited = await fingerprint(dir, ['orders', 'customers']);
    expect(edited).not.toBe(before);
    expect(await fingerprint(dir, ['orders'])).not.toBe(edited);
    expect(await fingerprint(dir, ['orders', 'customers', 'newcomer'])).toBe(edited);
    writeFileSync(path.join(dir, 'models', 'marts', 'report.sql'), 'select 3\n');
    expect(await fingerprint(dir, ['orders', 'customers'])).not.toBe(edited);
  });

  it("counts every dataset once a people's file reads the dataset list itself (Relayboard's own macro aside)", async () => {
    mkdirSync(path.join(dir, 'macros'), { recursive: true });
    writeFileSync(
      path.join(dir, 'macros', 'relayboard_dataset_exists.sql'),
      "{{ return(name in env_var('RELAYBOARD_DATASETS', '').split(',')) }}\n",
    );
    let state = await projectState(dir, ['orders']);
    expect(state.mayDependOn('orders')).toBe(false);
    expect(state.fingerprint).toBe((await projectState(dir, ['orders', 'customers'])).fingerprint);
    writeFileSync(
      path.join(dir, 'models', 'marts', 'every.sql'),
      "{% for d in env_var('RELAYBOARD_DATASETS').split(',') %}select 1{% endfor %}\n",
    );
    state = await projectState(dir, ['orders']);
    expect(state.mayDependOn('orders')).toBe(true);
    expect(state.fingerprint).not.toBe((await projectState(dir, ['orders', 'customers'])).fingerprint);
  });
});
