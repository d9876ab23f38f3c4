import Link from 'next/link';
import type { Destination } from '@relayboard/contracts';
import { isApiProblem, listDestinations } from '@/lib/api';
import { describeNotifyOn, describeSuppression, formatShare } from '@/lib/destinations';
import { ApiProblemNotice } from './api-problem-notice';
import { DestinationActions } from './destination-actions';
import { SummaryItem } from './page-parts';
import { StatusBadge } from './status-badge';
import { Timestamp } from './timestamp';

function Routing({ datasets }: { datasets: string[] | null }) {
  if (datasets === null) return <span>every dataset</span>;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Routed datasets">
      {datasets.map((name) => (
        <li key={name} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs break-all text-slate-800">
          {name}
        </li>
      ))}
    </ul>
  );
}

function LastDelivery({ destination }: { destination: Destination }) {
  const delivery = destination.lastDelivery;
  if (delivery === null) return <span className="text-slate-600">No deliveries yet</span>;
  return (
    <div className="space-y-1" data-testid="last-delivery">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <StatusBadge status={delivery.status} />
        {delivery.responseStatus !== null && (
          <span className="font-mono text-xs break-all text-slate-700">
            HTTP {delivery.responseStatus}
            {delivery.responseBody ? ` ${delivery.responseBody.slice(0, 200)}` : ''}
          </span>
        )}
        <span className="text-xs text-slate-600">
          <Timestamp iso={delivery.at} />
        </span>
      </div>
      <Link
        href={`/runs/${delivery.runId}`}
        className="inline-block font-mono text-xs text-sky-700 underline-offset-2 hover:underline"
      >
        <span className="sr-only">Open </span>run {delivery.runId.slice(0, 8)}
      </Link>
      {delivery.error && <p className="text-xs break-words text-red-800">{delivery.error}</p>}
      {delivery.skipReason && <p className="text-xs break-words text-slate-700">{delivery.skipReason}</p>}
    </div>
  );
}

function DestinationCard({ destination }: { destination: Destination }) {
  const titleId = `destination-${destination.id}-title`;
  return (
    <li>
      <article
        aria-labelledby={titleId}
        data-destination-id={destination.id}
        className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      >
        <div className="min-w-0">
          <h3 id={titleId} className="font-semibold break-words">
            {destination.name}
          </h3>
          <p className="mt-0.5 text-xs text-slate-600">
            Slack webhook <code className="font-mono break-all text-slate-800">{destination.webhookUrlMasked}</code>
          </p>
        </div>
        <dl className="mt-3 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-[repeat(4,minmax(0,1fr))_minmax(0,1.4fr)]">
          <SummaryItem label="Datasets">
            <Routing datasets={destination.datasets} />
          </SummaryItem>
          <SummaryItem label="Notify on">{describeNotifyOn(destination.notifyOn)}</SummaryItem>
          <SummaryItem label="Row-change threshold">
            {formatShare(destination.rowChangeThreshold)}
            {destination.notifyOn !== 'changes' && (
              <span className="block text-xs text-slate-600">used by “changes” only</span>
            )}
          </SummaryItem>
          <SummaryItem label="Suppression">{describeSuppression(destination.suppressHours)}</SummaryItem>
          <SummaryItem label="Last delivery">
            <LastDelivery destination={destination} />
          </SummaryItem>
        </dl>
        <DestinationActions destination={destination} />
      </article>
    </li>
  );
}

export async function DestinationsBoard() {
  let destinations: Destination[];
  try {
    destinations = await listDestinations();
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }

  if (destinations.length === 0) {
    return (
      <div
        data-testid="destinations-empty"
        className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center"
      >
        <p className="font-medium text-slate-800">No destinations yet</p>
        <p className="mt-1 text-sm text-slate-600">
          Runs are loaded and checked, but no digest is posted anywhere. Add a Slack incoming webhook above to get one
          after each run.
        </p>
      </div>
    );
  }

  return (
    <ul aria-label="Slack destinations" className="space-y-3">
      {destinations.map((destination) => (
        <DestinationCard key={destination.id} destination={destination} />
      ))}
    </ul>
  );
}
