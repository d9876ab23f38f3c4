import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesOf, runProjectDatasets, writeRunProject } from './run-project';

describe('runProjectDatasets', () => {
  const none = () => false;

  it('holds only the dataset itself when nothing names or points at it', () => {
    const inProject = [
      { name: 'orders', refersTo: [] },
      { name: 'customers', refersTo: [] },
      { name: 'events', refersTo: [] },
    ];
    expect(runProjectDatasets('orders', inProject, none)).toEqual(['orders']);
  });

  it("adds the datasets people's files name, and those its relationships checks point at, transitively", () => {
    const inProject = [
      { name: 'orders', refersTo: ['customers'] },
      { name: 'customers', refersTo: ['regions'] },
      { name: 'regions', refersTo: [] },
      { name: 'sample_orders', refersTo: [] },
      { name: 'unrelated', refersTo: [] },
    ];
    expect(runProjectDatasets('orders', inProject, (d) => d === 'sample_orders')).toEqual([
      'customers',
      'orders',
      'regions',
      'sample_orders',
    ]);
  });

  it('adds a dataset whose relationships check points at this one, with what that dataset points at', () => {
    const inProject = [
      { name: 'customers', refersTo: [] },
      { name: 'orders', refersTo: ['customers', 'products'] },
      { name: 'products', refersTo: [] },
      { name: 'unrelated', refersTo: [] },
    ];
    expect(runProjectDatasets('customers', inProject, none)).toEqual(['customers', 'orders', 'products']);
  });

  it('never adds a dataset that is out of the project, even when named or pointed at', () => {
    const inProject = [{ name: 'orders', refersTo: ['gone'] }];
    expect(runProjectDatasets('orders', inProject, () => true)).toEqual(['orders']);
    expect(runProjectDatasets('missing', inProject, none)).toEqual([]);
  });

  it("holds every dataset when people's files may depend on any", () => {
    const inProject = ['a', 'b', 'c'].map((name) => ({ name, refersTo: [] }));
    expect(runProjectDatasets('b', inProject, () => true)).toEqual(['a', 'b', 'c']);
  });
});

describe('filesOf', () => {
  it("keeps the files of the named datasets' folders only (a name that prefixes another is not confused with it)", () => {
    const files = new Map([
      ['models/relayboard/orders/orders.sql', 'a'],
      ['models/relayboard/orders/_orders__models.yml', 'b'],
      ['models/relayboard/orders_2/orders_2.sql', 'c'],
      ['models/relayboard/customers/customers.sql', 'd'],
    ]);
    expect([...filesOf(files, ['orders']).keys()]).toEqual([
      'models/relayboard/orders/orders.sql',
      'models/relayboard/orders/_orders__models.yml',
    ]);
  });
});

describe('writeRunProject', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'run-project-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("links the project's own files, copies its models without the generated area, and writes the run's files", async () => {
    const project = path.join(root, 'dbt');
    const write = (rel: string, content: string) => {
      mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      writeFileSync(path.join(project, rel), content);
    };
    write('dbt_project.yml', 'name: relayboard\n');
    write('macros/m.sql', '{% macro m() %}{% endmacro %}');
    write('models/_meta.yml', 'version: 2\n');
    write('models/marts/revenue.sql', 'select 1');
    write('models/relayboard/orders/orders.sql', 'old orders');
    write('models/relayboard/customers/customers.sql', 'customers');
    write('target/manifest.json', '{}');
    write('logs/dbt.log', '');
    write('.user.yml', 'id: x\n');

    const run = path.join(root, 'run');
    await writeRunProject(project, run, new Map([['models/relayboard/orders/orders.sql', 'new orders']]));

    expect(readdirSync(run).sort()).toEqual(['dbt_project.yml', 'macros', 'models']);
    expect(lstatSync(path.join(run, 'macros')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(run, 'macros/m.sql'), 'utf8')).toContain('macro m');
    expect(lstatSync(path.join(run, 'models')).isSymbolicLink()).toBe(false);
    expect(readFileSync(path.join(run, 'models/marts/revenue.sql'), 'utf8')).toBe('select 1');
    expect(readFileSync(path.join(run, 'models/_meta.yml'), 'utf8')).toBe('version: 2\n');
    expect(readdirSync(path.join(run, 'models/relayboard'))).toEqual(['orders']);
    expect(readFileSync(path.join(run, 'models/relayboard/orders/orders.sql'), 'utf8')).toBe('new orders');
    expect(existsSync(path.join(run, 'models/relayboard/customers'))).toBe(false);
  });
});
