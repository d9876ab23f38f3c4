import type { RunEvent } from '@relayboard/contracts';
import { DataTable } from './data-table';
import { StatusBadge } from './status-badge';
import { Timestamp } from './timestamp';

export function RunEvents({ events }: { events: RunEvent[] }) {
  if (events.length === 0) {
    return <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500">No events yet.</p>;
  }

  return (
    <DataTable caption="Run events, oldest first" columns={['Time', 'Level', 'Step', 'Message']}>
      {[...events]
        .sort((a, b) => a.id - b.id)
        .map((event) => (
          <tr key={event.id} className="align-top">
            <td className="px-4 py-2.5 font-mono text-xs whitespace-nowrap text-slate-600">
              <Timestamp iso={event.createdAt} />
            </td>
            <td className="px-4 py-2.5">
              <StatusBadge status={event.level} />
            </td>
            <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{event.step ?? 'run'}</td>
            <td className="px-4 py-2.5">
              <p className="break-words whitespace-pre-wrap">{event.message}</p>
              {event.data && Object.keys(event.data).length > 0 && (
                <details className="mt-1 text-xs text-slate-600">
                  <summary className="cursor-pointer select-none">Data</summary>
                  <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 font-mono">
                    {JSON.stringify(event.data, null, 2)}
                  </pre>
                </details>
              )}
            </td>
          </tr>
        ))}
    </DataTable>
  );
}
