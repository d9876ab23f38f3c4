import Link from 'next/link';
import type {
  ColumnOverrides,
  DatasetProfile,
  DatasetVersion,
  DatasetVersionList,
  RunSummary,
  StagedColumnDto,
} from '@relayboard/contracts';
import {
  getColumnOverrides,
  getDatasetProfile,
  isApiProblem,
  listDatasetRuns,
  listDatasetVersions,
  type ApiProblem,
} from '@/lib/api';
import { describeNumberFormat, describeOverride } from '@/lib/column-overrides';
import { formatBytes } from '@/lib/format';
import { describeDialect, formatShare, schemaChangesOf, type SchemaChangeList } from '@/lib/versions';
import { ApiProblemNotice } from './api-problem-notice';
import { ColumnOverrideForm } from './column-override-form';
import { DataTable } from './data-table';
import { RunsTable } from './runs-table';
import { Timestamp } from './timestamp';

export const RECENT_RUNS = 10;

export const VERSIONS_SHOWN = 20;

const cell = 'px-4 py-2.5';
const none = <span className="text-slate-500">—</span>;

/**
 * The current version's columns with the newest profile's facts: null share,
 * distinct values, cast failures and range. The profile comes from the newest run
 * that built it, which the caption names (it can predate the current version).
 */
export async function DatasetSchema({ name, columns }: { name: string; columns: StagedColumnDto[] | null }) {
  if (columns === null || columns.length === 0) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500">
        The schema is inferred when a run stages the dataset. Press Run now to load it.
      </p>
    );
  }
  const problems: ApiProblem[] = [];
  const orNull = async <T,>(read: Promise<T>): Promise<T | null> => {
    try {
      return await read;
    } catch (error) {
      if (!isApiProblem(error)) throw error;
      problems.push(error);
      return null;
    }
  };
  const [profile, overrides]: [DatasetProfile | null, ColumnOverrides | null] = await Promise.all([
    orNull(getDatasetProfile(name)),
    orNull(getColumnOverrides(name)),
  ]);
  const byColumn = new Map((profile?.columns ?? []).map((p) => [p.column, p]));
  return (
    <div className="space-y-2">
      {problems.map((problem, index) => (
        <ApiProblemNotice key={index} problem={problem} />
      ))}
      <DataTable
        caption="Inferred schema, in file order, with the newest profile"
        columns={[
          '#',
          'Original header',
          'Column',
          'Type',
          'Null share',
          'Distinct',
          'Cast failures',
          'Range',
          'Decision',
        ]}
      >
        {columns.map((column, index) => {
          const facts = byColumn.get(column.name);
          return (
            <tr key={column.name}>
              <td className={`${cell} text-slate-500 tabular-nums`}>{index + 1}</td>
              <td className={`${cell} break-all`}>{column.originalName}</td>
              <td className={`${cell} font-mono text-xs`}>{column.name}</td>
              <td className={cell}>
                <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800">
                  {column.type}
                </code>
              </td>
              <td className={`${cell} whitespace-nowrap tabular-nums`}>
                {facts ? (
                  <span title={`${facts.nulls.toLocaleString('en-US')} of ${facts.rows.toLocaleString('en-US')} rows`}>
                    {formatShare(facts.nullShare)}
                  </span>
                ) : (
                  none
                )}
              </td>
              <td className={`${cell} whitespace-nowrap tabular-nums`}>
                {facts ? facts.distinct.toLocaleString('en-US') : none}
              </td>
              <td className={`${cell} whitespace-nowrap tabular-nums`}>
                {!facts ? (
                  none
                ) : facts.castFailures > 0 ? (
                  <span className="font-medium text-red-800">{facts.castFailures.toLocaleString('en-US')}</span>
                ) : (
                  '0'
                )}
              </td>
              <td className={`${cell} font-mono text-xs whitespace-nowrap`}>
                {facts && facts.min !== null ? `${facts.min} … ${facts.max}` : none}
              </td>
              <td className={`${cell} min-w-56 text-xs`}>
                <ColumnDecisionFacts column={column} />
              </td>
            </tr>
          );
        })}
      </DataTable>
      <p className="text-xs text-slate-500">
        {profile?.runId ? (
          <>
            Null share, distinct values and cast failures (values that did not fit the type and are NULL in the
            warehouse) from{' '}
            <Link href={`/runs/${profile.runId}`} className="text-sky-700 underline underline-offset-2">
              run {profile.runId.slice(0, 8)}
            </Link>
            , <Timestamp iso={profile.profiledAt} />.
          </>
        ) : (
          'Null share, distinct values and cast failures appear once a run has built the dataset’s models.'
        )}
      </p>
      {overrides && (
        <>
          <StoredOverrides overrides={overrides} />
          <ColumnOverrideForm
            datasetName={name}
            columns={columns.map((column) => column.name)}
            overrides={overrides.columns}
          />
        </>
      )}
    </div>
  );
}

/** What inference or an override decided beyond the type: markers read as NULL (with how many), the format, the note. CSV text is rendered as text. */
function ColumnDecisionFacts({ column }: { column: StagedColumnDto }) {
  const decision = column.decision;
  if (!decision) return none;
  const facts = [
    decision.dateFormat && <span key="date">format {decision.dateFormat}</span>,
    decision.numberFormat && <span key="number">{describeNumberFormat(decision.numberFormat)}</span>,
    decision.nullMarkers.length > 0 && (
      <span key="markers">
        NULL for{' '}
        {decision.nullMarkers.map((m, index) => (
          <span key={m.marker}>
            {index > 0 && ', '}
            <code className="rounded bg-slate-100 px-1 font-mono">{m.marker}</code> ×{m.count.toLocaleString('en-US')}
          </span>
        ))}
      </span>
    ),
  ].filter(Boolean);
  if (decision.source === 'inferred' && facts.length === 0 && !decision.note) return none;
  return (
    <div className="space-y-1" data-testid={`decision-${column.name}`}>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        {decision.source === 'override' && (
          <span className="rounded-full bg-violet-50 px-2 py-0.5 font-medium text-violet-800 ring-1 ring-violet-300 ring-inset">
            override
          </span>
        )}
        {facts}
      </div>
      {decision.note && <p className="break-words text-slate-600">{decision.note}</p>}
    </div>
  );
}

/** The stored overrides, which the next run applies (the table shows what the last run did). */
function StoredOverrides({ overrides }: { overrides: ColumnOverrides }) {
  const entries = Object.entries(overrides.columns);
  if (entries.length === 0) return null;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
      <h3 id="stored-overrides-title" className="font-semibold">
        Column overrides for the next run
      </h3>
      <ul aria-labelledby="stored-overrides-title" className="mt-2 space-y-1">
        {entries.map(([column, override]) => (
          <li key={column} className="break-words">
            <code className="font-mono text-xs">{column}</code>: {describeOverride(override)}
          </li>
        ))}
      </ul>
      {overrides.updatedAt && (
        <p className="mt-2 text-xs text-slate-500">
          Set <Timestamp iso={overrides.updatedAt} />.
        </p>
      )}
    </div>
  );
}

function SchemaChangeItem({ version, changes }: { version: DatasetVersion; changes: SchemaChangeList }) {
  return (
    <li className="space-y-1 px-4 py-3">
      <p className="text-xs text-slate-600">
        <code className="font-mono text-slate-800" title={version.sha256}>
          {version.sha256.slice(0, 12)}
        </code>{' '}
        · <Timestamp iso={version.fetchedAt} />
      </p>
      <ul className="flex flex-wrap gap-1.5 text-xs">
        {changes.added.map((column) => (
          <li
            key={`+${column}`}
            className="rounded bg-emerald-50 px-1.5 py-0.5 font-mono text-emerald-900 ring-1 ring-emerald-200 ring-inset"
          >
            added {column}
          </li>
        ))}
        {changes.removed.map((column) => (
          <li
            key={`-${column}`}
            className="rounded bg-red-50 px-1.5 py-0.5 font-mono text-red-900 ring-1 ring-red-200 ring-inset"
          >
            removed {column}
          </li>
        ))}
        {changes.retyped.map((change) => (
          <li
            key={`~${change.name}`}
            className="rounded bg-amber-50 px-1.5 py-0.5 font-mono text-amber-900 ring-1 ring-amber-200 ring-inset"
          >
            {change.name}: {change.from} → {change.to}
          </li>
        ))}
      </ul>
    </li>
  );
}

/** The newest versions (sha, size, rows, dialect, rejects, when, unchanged or not) and the schema changes among them. */
export async function DatasetVersions({ name }: { name: string }) {
  let list: DatasetVersionList;
  try {
    list = await listDatasetVersions(name, VERSIONS_SHOWN);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  const { versions } = list;
  const changed = versions
    .map((version) => ({ version, changes: schemaChangesOf(version.schemaChanges) }))
    .filter((v) => v.changes !== null);
  return (
    <div className="space-y-4">
      <DataTable
        caption="Versions, newest first"
        columns={['Version', 'Size', 'Rows', 'Rejected', 'Dialect', 'Source', 'Fetched', 'Content']}
      >
        {versions.length === 0 ? (
          <tr>
            <td colSpan={8} className="px-4 py-8 text-center text-slate-500">
              No versions yet.
            </td>
          </tr>
        ) : (
          versions.map((version) => (
            <tr key={version.id}>
              <td className={`${cell} whitespace-nowrap`}>
                <code className="font-mono text-xs" title={version.sha256}>
                  {version.sha256.slice(0, 12)}
                </code>
              </td>
              <td className={`${cell} whitespace-nowrap tabular-nums`}>{formatBytes(version.sizeBytes)}</td>
              <td className={`${cell} whitespace-nowrap tabular-nums`}>
                {version.rows !== null ? (
                  version.rows.toLocaleString('en-US')
                ) : (
                  <span className="text-slate-500">not staged</span>
                )}
              </td>
              <td className={`${cell} whitespace-nowrap tabular-nums`}>
                {version.rejectedRows !== null ? version.rejectedRows.toLocaleString('en-US') : none}
              </td>
              <td className={`${cell} whitespace-nowrap text-slate-600`}>{describeDialect(version.dialect) ?? none}</td>
              <td className={`${cell} whitespace-nowrap text-slate-600`}>{version.source}</td>
              <td className={`${cell} whitespace-nowrap text-slate-600`}>
                <Timestamp iso={version.fetchedAt} />
              </td>
              <td className={`${cell} whitespace-nowrap text-slate-600`}>
                {version.unchanged ? 'unchanged' : 'new content'}
              </td>
            </tr>
          ))
        )}
      </DataTable>
      {list.nextCursor && (
        <p className="text-xs text-slate-500">
          The newest {VERSIONS_SHOWN} versions; older ones are in{' '}
          <code className="font-mono">GET /v1/datasets/{name}/versions</code>.
        </p>
      )}
      <div className="space-y-2">
        <h3 className="font-semibold">Schema changes</h3>
        {changed.length === 0 ? (
          <p className="text-sm text-slate-500">
            {versions.length > 1
              ? 'No column was added, removed or retyped between these versions.'
              : 'Changes show here once a second version is staged.'}
          </p>
        ) : (
          <ul
            aria-label="Schema changes, newest first"
            className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm"
          >
            {changed.map(({ version, changes }) => (
              <SchemaChangeItem key={version.id} version={version} changes={changes!} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

export async function DatasetRecentRuns({ name }: { name: string }) {
  let runs: RunSummary[];
  try {
    runs = await listDatasetRuns(name, RECENT_RUNS);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  return <RunsTable runs={runs} now={new Date()} filtered={false} empty="This dataset has not run yet." />;
}
