'use client';

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunHistoryPoint } from '@/lib/run-history';

const ROWS_COLOUR = '#0369a1';
const DURATION_COLOUR = '#c2410c';

function shortTime(iso: string): string {
  // Fixed locale and zone: the server's render and the browser's hydration must agree.
  return new Date(iso).toLocaleString('en-GB', {
    timeZone: 'UTC',
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/**
 * Rows loaded (bars) and run duration (line) across the dataset's finished runs. The
 * drawing is hidden from screen readers; the same figures are in a visually hidden table.
 */
export function RunHistoryChart({ points }: { points: RunHistoryPoint[] }) {
  const data = points.map((point) => ({ ...point, label: shortTime(point.at) }));
  const totalRows = points.reduce((sum, point) => sum + (point.rows ?? 0), 0);
  const longest = Math.max(...points.map((point) => point.durationSeconds));
  const summary = `${points.length} finished run${points.length === 1 ? '' : 's'}; latest loaded ${
    points.at(-1)?.rows?.toLocaleString('en-US') ?? 'no'
  } rows in ${points.at(-1)?.durationSeconds.toFixed(1)} s; longest ${longest.toFixed(1)} s; ${totalRows.toLocaleString('en-US')} rows loaded in all.`;

  return (
    <figure
      className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      data-testid="run-history-chart"
    >
      <figcaption className="text-sm text-slate-600" id="run-history-summary">
        {summary}
      </figcaption>
      <div className="h-64 w-full" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%" minWidth={0}>
          {/* recharts' own keyboard layer would put a focus stop inside this aria-hidden drawing; the table below carries the figures. */}
          <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid stroke="#e2e8f0" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: '#475569' }} minTickGap={16} />
            <YAxis yAxisId="rows" tick={{ fontSize: 11, fill: '#475569' }} allowDecimals={false} width={48} />
            <YAxis
              yAxisId="duration"
              orientation="right"
              tick={{ fontSize: 11, fill: '#475569' }}
              unit=" s"
              width={48}
            />
            <Tooltip
              formatter={(value, name) =>
                name === 'Duration' ? `${Number(value).toFixed(1)} s` : Number(value).toLocaleString('en-US')
              }
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar
              yAxisId="rows"
              dataKey="rows"
              name="Rows"
              fill={ROWS_COLOUR}
              maxBarSize={32}
              isAnimationActive={false}
            />
            <Line
              yAxisId="duration"
              dataKey="durationSeconds"
              name="Duration"
              stroke={DURATION_COLOUR}
              strokeWidth={2}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      {/* A table will not shrink to sr-only's 1 px and would widen a phone's page; its wrapper does. */}
      <div className="sr-only">
        <table>
          <caption>Rows and duration of each finished run, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Finished (UTC)</th>
              <th scope="col">Status</th>
              <th scope="col">Rows</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {data.map((point) => (
              <tr key={point.runId}>
                <td>{point.label}</td>
                <td>{point.status}</td>
                <td>{point.rows === null ? 'not staged' : point.rows.toLocaleString('en-US')}</td>
                <td>{point.durationSeconds.toFixed(1)} s</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
