import type { AuditList, ColumnOverrides, Dataset, Run } from '@relayboard/contracts';
import { api, apiAs, query, runDataset, uniqueName, uploadCsv } from './helpers';

/**
 * Column overrides over real REST (issue #15 item 4): the set is stored and read
 * back as sent (hostile marker text included, as data), refused with a clear 4xx
 * when it names what the dataset does not have, and the dataset's next run applies
 * it: a forced type lands in the warehouse, and a value that does not fit it is
 * NULL and counted as a cast failure rather than failing the run.
 */

const HOSTILE_MARKERS = ["'); drop table x; --", '{{ 7*191 }}', '<b>NA</b>'];

// `ten` is no missing-value marker, so inference keeps amount text; id is a whole number.
const CSV = 'id,amount,label\n1,10.5,a\n2,ten,b\n3,7,c\n';

describe('column overrides', () => {
  const name = uniqueName('overrides');
  const route = `/v1/datasets/${name}/column-overrides`;
  let firstRun: Run;
  let secondRun: Run;

  beforeAll(async () => {
    const uploaded = await uploadCsv(name, CSV);
    expect(uploaded.status).toBe(201);
  });

  it('refuses overrides on a dataset that was never staged, and on one that does not exist', async () => {
    const unstaged = await api('PUT', route, { columns: { amount: { type: 'numeric' } } });
    expect([unstaged.status, unstaged.body.error.code]).toEqual([400, 'validation_failed']);
    expect(unstaged.body.error.message).toContain(`dataset "${name}" has no staged version yet`);
    const missing = uniqueName('nothing');
    for (const method of ['GET', 'PUT']) {
      const res = await api(
        method,
        `/v1/datasets/${missing}/column-overrides`,
        method === 'PUT' ? { columns: {} } : undefined,
      );
      expect([res.status, res.body.error.code]).toEqual([404, 'dataset_not_found']);
      expect(res.body.error.message).toContain(`no dataset named "${missing}"`);
    }
  });

  it('stores the whole set and reads it back as sent, hostile marker text as data; {} clears it', async () => {
    firstRun = await runDataset(name);
    expect(firstRun.status).toBe('succeeded');
    expect((await api<ColumnOverrides>('GET', route)).body).toEqual({
      datasetName: name,
      columns: {},
      updatedAt: null,
      updatedByTokenId: null,
    });

    const columns = { label: { nullMarkers: HOSTILE_MARKERS }, id: { keepText: true as const } };
    const put = await api<ColumnOverrides>('PUT', route, { columns });
    expect(put.status).toBe(200);
    expect(put.body.columns).toEqual(columns);
    expect(put.body.updatedByTokenId).toEqual(expect.any(String));
    const read = await api<ColumnOverrides>('GET', route);
    expect(read.body).toEqual(put.body);
    const [stored] = await query<{ override: unknown }>(
      `select o.override from relayboard.dataset_column_overrides o join relayboard.datasets d on d.id = o.dataset_id
        where d.name = $1 and o.column_name = 'label'`,
      [name],
    );
    expect(stored.override).toEqual({ nullMarkers: HOSTILE_MARKERS });
    expect((await query(`select 1 from relayboard.datasets limit 1`)).length).toBe(1);

    const cleared = await api<ColumnOverrides>('PUT', route, { columns: {} });
    expect([cleared.status, cleared.body.columns]).toEqual([200, {}]);
    expect((await api<ColumnOverrides>('GET', route)).body.columns).toEqual({});

    const audit = await api<AuditList>('GET', '/v1/audit?limit=20');
    const puts = audit.body.entries.filter((e) => e.path === route);
    expect(puts.map((e) => [e.method, e.route, e.targetId, e.status])).toEqual([
      ['PUT', '/v1/datasets/:name/column-overrides', name, 200],
      ['PUT', '/v1/datasets/:name/column-overrides', name, 200],
    ]);
  });

  it('refuses columns the version does not have (naming its columns), formats on the wrong type, and bad bodies', async () => {
    const refusals: [unknown, string, string][] = [
      [{ columns: { amout: { type: 'numeric' } } }, 'columns.amout', 'its columns are id, amount, label'],
      [
        { columns: { amount: { type: 'numeric', dateFormat: 'dd/mm/yyyy' } } },
        'columns.amount.dateFormat',
        'a date format goes with type date, timestamp or timestamptz',
      ],
      [
        { columns: { label: { type: 'text', numberFormat: { decimal: ',', thousands: '.' } } } },
        'columns.label.numberFormat',
        'a number format goes with type bigint or numeric',
      ],
      [
        { columns: { amount: { type: 'date', dateFormat: 'yyyy/dd/mm' } } },
        'columns.amount.dateFormat',
        'a date format is a date part',
      ],
      [
        { columns: { 'Amount!': { type: 'text' } } },
        'columns.Amount!',
        'must be a column name as Relayboard writes it',
      ],
      [{ columns: { amount: { type: 'money' } } }, 'columns.amount.type', 'Invalid option'],
      [{ columns: { id: { keepText: true, type: 'bigint' } } }, 'columns.id', 'keepText and a type other than text'],
      [{ columns: {}, extra: 1 }, 'body', 'unknown field(s) extra'],
    ];
    for (const [body, field, message] of refusals) {
      const res = await api('PUT', route, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
      expect(res.body.error.details.issues).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, message: expect.stringContaining(message) })]),
      );
    }
    expect((await api<ColumnOverrides>('GET', route)).body.columns).toEqual({});
  });

  it('lets a read token read the overrides but not change them', async () => {
    const token = await api('POST', '/v1/tokens', { name: uniqueName('reader'), scope: 'read' });
    expect(token.status).toBe(201);
    expect((await apiAs(token.body.token, 'GET', route)).status).toBe(200);
    const put = await apiAs(token.body.token, 'PUT', route, { columns: {} });
    expect([put.status, put.body.error.details]).toEqual([403, { requiredScope: 'write', tokenScope: 'read' }]);
    await api('DELETE', `/v1/tokens/${token.body.id}`);
  });

  it('changes the types on the next run; a value that does not fit a forced type is NULL and counted', async () => {
    const put = await api('PUT', route, {
      columns: {
        amount: { type: 'numeric' },
        id: { keepText: true },
        label: { nullMarkers: HOSTILE_MARKERS },
        gone: { type: 'text' },
      },
    });
    // `gone` is not a column: refused, so the set stays as it was.
    expect(put.status).toBe(400);
    expect(
      (
        await api('PUT', route, {
          columns: { amount: { type: 'numeric' }, id: { keepText: true }, label: { nullMarkers: HOSTILE_MARKERS } },
        })
      ).status,
    ).toBe(200);

    secondRun = await runDataset(name);
    expect([secondRun.status, secondRun.error]).toEqual(['succeeded', null]);

    const dataset = (await api<Dataset>('GET', `/v1/datasets/${name}`)).body;
    const byName = Object.fromEntries(dataset.currentVersion!.columns!.map((c) => [c.name, c]));
    expect(byName.id).toMatchObject({
      type: 'text',
      decision: { source: 'override', note: 'inferred bigint; override: keep as text' },
    });
    expect(byName.amount).toMatchObject({
      type: 'numeric',
      decision: { source: 'override', note: 'inferred text; override: numeric' },
    });
    expect(byName.label.decision?.nullMarkers).toEqual(HOSTILE_MARKERS.map((marker) => ({ marker, count: 0 })));

    const warehouseTypes = await query(
      `select column_name, data_type from information_schema.columns where table_schema = 'warehouse' and table_name = $1 order by ordinal_position`,
      [name],
    );
    expect(warehouseTypes).toEqual([
      { column_name: '_rb_row', data_type: 'bigint' },
      { column_name: 'id', data_type: 'text' },
      { column_name: 'amount', data_type: 'numeric' },
      { column_name: 'label', data_type: 'text' },
    ]);
    const rows = await query(`select id, amount::text as amount, label from warehouse."${name}" order by _rb_row`);
    expect(rows).toEqual([
      { id: '1', amount: '10.5', label: 'a' },
      { id: '2', amount: null, label: 'b' },
      { id: '3', amount: '7', label: 'c' },
    ]);

    const transform = secondRun.steps.find((s) => s.name === 'transform')!;
    expect(transform.metrics).toMatchObject({ castFailures: 1 });
    const [profile] = await query<{ cast_failures: string }>(
      `select cast_failures from warehouse."${name}__profile" where column_name = 'amount'`,
    );
    expect(profile.cast_failures).toBe('1');

    const event = secondRun.events.find((e) => e.step === 'stage' && e.data && 'columnOverrides' in e.data);
    expect(event?.message).toBe(
      'column overrides applied: id: inferred bigint -> text; amount: inferred text -> numeric; ' +
        `label: inferred text -> text, NULL for ${HOSTILE_MARKERS.map((m) => JSON.stringify(m)).join(', ')}`,
    );
    expect(event?.data?.columnOverrides).toEqual([
      expect.objectContaining({
        column: 'id',
        before: expect.objectContaining({ type: 'bigint' }),
        after: expect.objectContaining({ type: 'text' }),
      }),
      expect.objectContaining({
        column: 'amount',
        before: expect.objectContaining({ type: 'text' }),
        after: expect.objectContaining({ type: 'numeric' }),
      }),
      expect.objectContaining({ column: 'label' }),
    ]);
    // The first run had no overrides, so no such event, and inference typed id bigint and amount text.
    expect(firstRun.events.some((e) => e.data && 'columnOverrides' in e.data)).toBe(false);
  });

  it('reports an override whose column a new version dropped, and still loads', async () => {
    expect((await uploadCsv(name, 'id,label\n1,a\n')).status).toBe(200);
    const run = await runDataset(name);
    expect(run.status).toBe('succeeded');
    const event = run.events.find((e) => e.step === 'stage' && e.data && 'overridesUnused' in e.data);
    expect(event?.level).toBe('warn');
    expect(event?.data?.overridesUnused).toEqual(['amount']);
    expect(event?.message).toContain(`override(s) for amount left unused: this version has no such column`);
  });

  it('removes the overrides with the dataset', async () => {
    const [{ id }] = await query<{ id: string }>(`select id from relayboard.datasets where name = $1`, [name]);
    expect((await api('DELETE', `/v1/datasets/${name}`)).status).toBe(204);
    expect(await query(`select 1 from relayboard.dataset_column_overrides where dataset_id = $1`, [id])).toEqual([]);
  });
});

describe('a date format the dataset says (issue #15: dates that read both day-first and month-first)', () => {
  const name = uniqueName('ambiguous');
  const route = `/v1/datasets/${name}/column-overrides`;

  it('stays text while its values fit both orders, and becomes a date column read day-first once the override says so', async () => {
    expect((await uploadCsv(name, 'id,day\n1,05/06/2024\n2,01/02/2024\n3,03/04/2024\n')).status).toBe(201);
    const first = await runDataset(name);
    expect(first.status).toBe('succeeded');
    const { body: before } = await api<Dataset>('GET', `/v1/datasets/${name}`);
    const day = before.currentVersion!.columns!.find((c) => c.name === 'day')!;
    expect(day.type).toBe('text');
    expect(day.decision?.note).toContain('dd/mm/yyyy');

    expect((await api('PUT', route, { columns: { day: { type: 'date', dateFormat: 'dd/mm/yyyy' } } })).status).toBe(
      200,
    );
    const second = await runDataset(name);
    expect(second.status).toBe('succeeded');
    const { body: after } = await api<Dataset>('GET', `/v1/datasets/${name}`);
    expect(after.currentVersion!.columns!.find((c) => c.name === 'day')).toMatchObject({
      type: 'date',
      decision: { source: 'override', dateFormat: 'dd/mm/yyyy' },
    });
    const rows = await query<{ day: string }>(`select day::text as day from warehouse."${name}" order by _rb_row`);
    expect(rows.map((r) => r.day)).toEqual(['2024-06-05', '2024-02-01', '2024-04-03']);
    // Staging keeps the bytes of the file.
    const raw = await query<{ day: string }>(`select day from staging."${name}" order by _rb_row`);
    expect(raw.map((r) => r.day)).toEqual(['05/06/2024', '01/02/2024', '03/04/2024']);
  });
});
