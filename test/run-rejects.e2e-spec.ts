import { randomUUID } from 'node:crypto';
import type { Run, RunRejects } from '@relayboard/contracts';
import { api, runDataset, uploadCsv, uniqueName } from './helpers';

/** 300 rows, two of them ragged (lines 51 and 201): under the 1% a load may reject and still be published. */
function csvWithTwoRejects(): string {
  const lines = ['id,name,amount'];
  for (let i = 1; i <= 300; i++) {
    if (i === 50) lines.push('50,ragged,1,extra');
    else if (i === 200) lines.push('200,short');
    else lines.push(`${i},name ${i},${i}.5`);
  }
  return `${lines.join('\n')}\n`;
}

async function uploadAndRun(name: string, csv: string): Promise<Run> {
  const uploaded = await uploadCsv(name, csv);
  if (uploaded.status !== 201)
    throw new Error(`uploading ${name} answered ${uploaded.status}: ${JSON.stringify(uploaded.body)}`);
  return runDataset(name);
}

describe('GET /v1/runs/:id/rejects', () => {
  const name = uniqueName('rejects');
  let first: Run;

  beforeAll(async () => {
    first = await uploadAndRun(name, csvWithTwoRejects());
  });

  it("answers the run's rejected rows by line number, with the reason and the raw text", async () => {
    expect(first.status).toBe('succeeded');
    const { status, body } = await api<RunRejects>('GET', `/v1/runs/${first.id}/rejects`);
    expect(status).toBe(200);
    expect(body).toEqual({
      runId: first.id,
      source: 'available',
      replacedByRunId: null,
      table: `staging.${name}__rejects`,
      rejects: [
        {
          lineNumber: 51,
          reason: 'extra data after last expected column: 4 fields where the header has 3',
          raw: '50,ragged,1,extra',
          rawTruncated: false,
        },
        {
          lineNumber: 201,
          reason: 'missing data for column 3: 2 fields where the header has 3',
          raw: '200,short',
          rawTruncated: false,
        },
      ],
      total: 2,
      nextCursor: null,
    });
  });

  it('pages with a cursor and refuses a limit or cursor out of bounds', async () => {
    const one = await api<RunRejects>('GET', `/v1/runs/${first.id}/rejects?limit=1`);
    expect(one.body.rejects.map((r) => r.lineNumber)).toEqual([51]);
    expect(one.body.nextCursor).toEqual(expect.any(String));
    const two = await api<RunRejects>('GET', `/v1/runs/${first.id}/rejects?limit=1&cursor=${one.body.nextCursor}`);
    expect(two.body.rejects.map((r) => r.lineNumber)).toEqual([201]);
    expect(two.body.nextCursor).toBeNull();
    expect(two.body.total).toBe(2);

    for (const query of ['limit=0', 'limit=201', 'limit=ten', 'cursor=not-a-cursor']) {
      const refused = await api('GET', `/v1/runs/${first.id}/rejects?${query}`);
      expect([query, refused.status, refused.body.error.code]).toEqual([query, 400, 'validation_failed']);
    }
  });

  it('answers 404 with the error body for an unknown run', async () => {
    for (const id of [randomUUID(), 'not-a-run']) {
      const { status, body } = await api('GET', `/v1/runs/${id}/rejects`);
      expect(status).toBe(404);
      expect(body.error).toMatchObject({
        code: 'run_not_found',
        message: `no run with id "${id}"; list runs with GET /v1/runs`,
      });
    }
  });

  it('answers a run with no rejects with none, counted', async () => {
    const clean = await uploadAndRun(uniqueName('no_rejects'), 'id,name\n1,Ada\n2,Grace\n');
    expect(clean.status).toBe('succeeded');
    const { status, body } = await api<RunRejects>('GET', `/v1/runs/${clean.id}/rejects`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ source: 'available', rejects: [], total: 0, nextCursor: null });
  });

  it("says when a later load replaced a run's rejects instead of answering with that load's rows", async () => {
    const second = await runDataset(name);
    expect(second.status).toBe('succeeded');
    const replaced = await api<RunRejects>('GET', `/v1/runs/${first.id}/rejects`);
    expect(replaced.body).toEqual({
      runId: first.id,
      source: 'replaced',
      replacedByRunId: second.id,
      table: `staging.${name}__rejects`,
      rejects: [],
      total: 2,
      nextCursor: null,
    });
    const latest = await api<RunRejects>('GET', `/v1/runs/${second.id}/rejects`);
    expect(latest.body).toMatchObject({ source: 'available', total: 2 });
    expect(latest.body.rejects.map((r) => r.lineNumber)).toEqual([51, 201]);
  });

  it('answers a run whose stage step failed with no rows: it published no load', async () => {
    // A third of the rows ragged: far over the share a load may reject, so nothing is published.
    const failed = await uploadAndRun(uniqueName('too_ragged'), 'a,b\n1,2\n3,4,5\n6,7\n');
    expect(failed.steps.find((s) => s.name === 'stage')?.status).toBe('failed');
    const { status, body } = await api<RunRejects>('GET', `/v1/runs/${failed.id}/rejects`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ source: 'not_staged', rejects: [], total: null, nextCursor: null });
  });
});
