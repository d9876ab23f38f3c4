import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildDigest,
  escapeMrkdwn,
  slackLimitProblems,
  withSuppressedNote,
  type DigestFacts,
  type SlackMessage,
} from './digest';

const GOLDEN = path.join(__dirname, '__golden__');

const base: DigestFacts = {
  dataset: 'orders',
  runId: '6b1f0e43-9c9e-4c55-a3f5-2f5d3c9a7b10',
  runUrl: 'http://127.0.0.1:3000/runs/6b1f0e43-9c9e-4c55-a3f5-2f5d3c9a7b10',
  failure: null,
  rows: 40,
  previousRows: null,
  bytes: 2048,
  version: { sha256: 'a3f9c2d17be04e5f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f', unchanged: false },
  schemaChanges: null,
  rejects: { count: 0, top: [] },
  castFailures: [],
  dbt: { models: 3, testsPassed: 2, testsWarned: 0, testsFailed: 0, problems: [] },
  profileMoves: [],
  preview: {
    columns: ['order_id', 'customer', 'amount'],
    rows: [
      ['1', 'Ada', '10.50'],
      ['2', 'Grace', null],
      ['3', 'Edsger', '7'],
    ],
  },
  steps: [
    { name: 'fetch', status: 'succeeded', seconds: 0.1 },
    { name: 'stage', status: 'succeeded', seconds: 0.8 },
    { name: 'transform', status: 'succeeded', seconds: 4.2 },
  ],
  owners: ['U012ABCDEF'],
};

const scenarios: Record<string, DigestFacts> = {
  'first-load': base,
  'changed-version': {
    ...base,
    rows: 55,
    previousRows: 40,
    version: { ...base.version!, sha256: 'b4e0d3e28cf15f6a9bac1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a' },
    schemaChanges: { added: ['discount'], removed: [], retyped: [{ name: 'amount', from: 'bigint', to: 'numeric' }] },
    rejects: { count: 2, top: [{ reason: 'record has 4 fields, the header has 3', count: 2, lines: [17, 41] }] },
    castFailures: [{ column: 'ordered_on', type: 'date', count: 1 }],
    typing: [
      {
        column: 'amount',
        type: 'numeric',
        decision: {
          nullMarkers: [{ marker: 'NA', count: 8255 }],
          dateFormat: null,
          numberFormat: { decimal: ',', thousands: '.' },
          source: 'inferred',
          note: null,
        },
      },
      {
        column: 'ordered_on',
        type: 'date',
        decision: { nullMarkers: [], dateFormat: 'dd/mm/yyyy', numberFormat: null, source: 'inferred', note: null },
      },
      {
        column: 'shipped_on',
        type: 'text',
        decision: {
          nullMarkers: [],
          dateFormat: null,
          numberFormat: null,
          source: 'inferred',
          note: 'every value reads both day-first (dd/mm/yyyy) and month-first (mm/dd/yyyy), so the column stays text: send a column override with type date and dateFormat "dd/mm/yyyy" or "mm/dd/yyyy"',
        },
      },
      {
        column: '<!channel>',
        type: 'bigint',
        decision: {
          nullMarkers: [{ marker: '<@U1>', count: 1 }],
          dateFormat: null,
          numberFormat: null,
          source: 'override',
          note: null,
        },
      },
    ],
    profileMoves: ['amount: max 250.00 is above the previous range 1 to 100', 'customer: nulls up from 0% to 9%'],
    preview: { columns: ['order_id', 'customer', 'amount', 'discount'], rows: [['1', 'Ada', '10.50', '0.1']] },
  },
  'failed-stage': {
    ...base,
    failure: {
      step: 'stage',
      message:
        '3 of 40 rows (7.5%) could not be loaded, more than REJECT_MAX_SHARE (1%): line 4: record has 2 fields, the header has 3',
    },
    rows: null,
    bytes: null,
    dbt: null,
    preview: null,
    steps: [
      { name: 'fetch', status: 'succeeded', seconds: 0.1 },
      { name: 'stage', status: 'failed', seconds: 0.3 },
      { name: 'transform', status: 'skipped', seconds: null },
    ],
  },
  'failed-dbt-test': {
    ...base,
    failure: {
      step: 'transform',
      message:
        'dbt build failed: test orders__not_null_note failed with 1 failing row(s): Got 1 result, configured to fail if != 0',
    },
    dbt: {
      models: 3,
      testsPassed: 2,
      testsWarned: 1,
      testsFailed: 1,
      problems: [
        {
          name: 'orders__not_null_note',
          kind: 'test',
          status: 'fail',
          failures: 1,
          message: 'Got 1 result, configured to fail if != 0',
          samples: ['note=null'],
        },
        {
          name: 'orders__accepted_values_city',
          kind: 'test',
          status: 'warn',
          failures: 1,
          message: 'Got 1 result, configured to warn if != 0',
          samples: ['value_field=Lagos, n_records=1'],
        },
      ],
    },
  },
};

function golden(name: string, message: SlackMessage): void {
  const file = path.join(GOLDEN, `${name}.json`);
  const json = `${JSON.stringify(message, null, 2)}\n`;
  // UPDATE_GOLDEN=1 rewrites the fixtures after a deliberate change; review the diff.
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, json);
  expect(json).toBe(readFileSync(file, 'utf8'));
}

describe('the Slack digest', () => {
  it.each(Object.keys(scenarios))(
    'renders the %s digest as its golden Block Kit message, inside Slack limits',
    (name) => {
      const message = buildDigest(scenarios[name]);
      expect(slackLimitProblems(message)).toEqual([]);
      golden(name, message);
    },
  );

  it('renders a retried delivery the same as the first try, and adds the failures a suppression interval held back', () => {
    const failed = scenarios['failed-dbt-test'];
    expect(buildDigest(failed)).toEqual(buildDigest(failed));
    golden(
      'delivery-retry-suppressed',
      withSuppressedNote(buildDigest(failed), { count: 2, since: new Date('2026-12-01T08:00:00Z') }),
    );
  });

  it('says rows now and the change since the previous run', () => {
    const text = JSON.stringify(buildDigest(scenarios['changed-version']));
    expect(text).toContain('55 rows (+15 since 40)');
    expect(JSON.stringify(buildDigest(base))).toContain('40 rows (first load)');
    expect(JSON.stringify(buildDigest({ ...base, rows: 30, previousRows: 40 }))).toContain('30 rows (−10 since 40)');
  });

  it('mentions owners on failures only', () => {
    expect(JSON.stringify(buildDigest(scenarios['failed-stage']))).toContain('cc <@U012ABCDEF>');
    expect(JSON.stringify(buildDigest(base))).not.toContain('<@');
  });

  it('stays inside the limits with 200 columns and 300-character names and values', () => {
    const long = (i: number) => `${'n'.repeat(290)}_${String(i).padStart(3, '0')}`.slice(0, 300);
    const columns = Array.from({ length: 200 }, (_, i) => long(i));
    const message = buildDigest({
      ...base,
      failure: { step: 'transform', message: 'x'.repeat(10_000) },
      schemaChanges: {
        added: columns,
        removed: columns.slice(0, 100),
        retyped: columns.map((c) => ({ name: c, from: 'text', to: 'bigint' })),
      },
      rejects: {
        count: 10_000,
        top: Array.from({ length: 3 }, (_, i) => ({
          reason: 'r'.repeat(300) + i,
          count: 3000,
          lines: [1, 2, 3, 4, 5],
        })),
      },
      castFailures: columns.map((c) => ({ column: c, type: 'date', count: 5 })),
      dbt: {
        models: 3,
        testsPassed: 0,
        testsWarned: 200,
        testsFailed: 200,
        problems: columns.map((c) => ({
          name: c,
          kind: 'test',
          status: 'fail',
          failures: 3,
          message: 'm'.repeat(300),
          samples: ['v'.repeat(300), 'w'.repeat(300)],
        })),
      },
      profileMoves: columns.map((c) => `${c}: nulls up from 0% to 50%`),
      preview: { columns, rows: Array.from({ length: 10 }, () => columns.map(() => 'v'.repeat(300))) },
      owners: Array.from({ length: 20 }, (_, i) => `U${String(i).padStart(9, '0')}`),
    });
    expect(slackLimitProblems(message)).toEqual([]);
    expect(JSON.stringify(message)).toMatch(/… and \d+ more/);
  });

  it('escapes mentions, links and & in CSV values, column names and dbt text', () => {
    const hostile = ['<!channel>', '<https://example.com|click>', '<@U123>', 'Tom & Jerry'];
    const message = buildDigest({
      ...base,
      failure: { step: 'transform', message: `dbt build failed: ${hostile.join(' ')}` },
      schemaChanges: { added: hostile, removed: [], retyped: [] },
      rejects: { count: 4, top: hostile.map((h) => ({ reason: h, count: 1, lines: [2] })) },
      castFailures: hostile.map((h) => ({ column: h, type: 'date', count: 1 })),
      dbt: {
        models: 1,
        testsPassed: 0,
        testsWarned: 0,
        testsFailed: 1,
        problems: [
          {
            name: hostile[0],
            kind: 'test',
            status: 'error',
            failures: null,
            message: hostile.join(' '),
            samples: hostile,
          },
        ],
      },
      profileMoves: hostile,
      preview: { columns: hostile, rows: [hostile] },
      owners: [],
    });
    const json = JSON.stringify(message);
    for (const raw of hostile) expect(json).not.toContain(raw);
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('&lt;https://example.com|click&gt;');
    expect(json).toContain('&lt;@U123&gt;');
    expect(json).toContain('Tom &amp; Jerry');
    // The only link is the run's, the only angle brackets Relayboard's own.
    expect(json.match(/<[^&]/g)).toEqual(['<h']);
  });

  it('escapes the three characters Slack reads as markup, and only those', () => {
    expect(escapeMrkdwn('a < b > c & d *e* _f_')).toBe('a &lt; b &gt; c &amp; d *e* _f_');
  });
});
