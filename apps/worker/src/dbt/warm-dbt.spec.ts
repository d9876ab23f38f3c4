import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dbtInterpreter, WarmDbt, type WarmDbtProcess } from './warm-dbt';

const VENV_DBT = path.resolve(__dirname, '..', '..', '..', '..', '.venv', 'bin', 'dbt');

describe('dbtInterpreter', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warm-dbt-'));
  const script = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("reads the Python of pip's dbt script", () => {
    const file = script(
      'dbt',
      '#!/opt/dbt/bin/python3.11\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom dbt.cli.main import cli\nif __name__ == "__main__":\n    sys.exit(cli())\n',
    );
    expect(dbtInterpreter(file)).toBe('/opt/dbt/bin/python3.11');
  });

  it('refuses what is not dbt over Python: a wrapper script, another Python program, a missing file', () => {
    expect(dbtInterpreter(script('wrapper', '#!/bin/sh\nexec /opt/dbt/bin/dbt "$@"\n'))).toBeNull();
    expect(dbtInterpreter(script('other', '#!/usr/bin/python3\nprint("hello")\n'))).toBeNull();
    expect(dbtInterpreter(path.join(dir, 'missing'))).toBeNull();
  });
});

describe('WarmDbt with the project venv', () => {
  const interpreter = dbtInterpreter(VENV_DBT);
  const logs: string[] = [];
  const warm = new WarmDbt(interpreter ?? 'python3', { PATH: process.env.PATH ?? '' }, (m) => logs.push(m));

  afterAll(() => warm.stop());

  it('is the venv dbt (./relayboard bootstrap installs it)', () => {
    expect(interpreter).toMatch(/python/);
  });

  it('runs one build handed to it, with its output and exit code, named after the build', async () => {
    warm.prepare();
    const taken = (await warm.take()) as WarmDbtProcess;
    expect(taken).not.toBeNull();
    const lines: string[] = [];
    taken.onLine = (line) => lines.push(line);
    const closed = new Promise<number | null>((resolve) => taken.child.once('close', resolve));
    WarmDbt.handOver(taken, {
      bin: VENV_DBT,
      args: ['--version'],
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(await closed).toBe(0);
    expect(lines.join('\n')).toMatch(/Core:[\s\S]*postgres/);
    // The next spare is a new process: one process runs one build.
    warm.prepare();
    const next = (await warm.take()) as WarmDbtProcess;
    expect(next.pid).not.toBe(taken.pid);
    const nextClosed = new Promise<number | null>((resolve) => next.child.once('close', resolve));
    // A spare whose pipe closes before a build (its worker went away) exits without running anything.
    next.child.stdin!.end();
    expect(await nextClosed).toBe(0);
    expect(logs).toEqual([]);
  }, 60_000);
});
