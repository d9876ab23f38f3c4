'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { formErrorsFrom } from '@/lib/form-errors';

export function RemoveCheckButton({
  datasetName,
  checkId,
  checkName,
}: {
  datasetName: string;
  checkId: string;
  checkName: string;
}) {
  const router = useRouter();
  const [removing, setRemoving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function remove() {
    setRemoving(true);
    setProblem(null);
    try {
      const response = await fetch(
        `/api/datasets/${encodeURIComponent(datasetName)}/checks/${encodeURIComponent(checkId)}`,
        {
          method: 'DELETE',
          headers: { accept: 'application/json' },
        },
      );
      // Already gone is what the person wanted too.
      if (response.ok || response.status === 404) {
        router.refresh();
        return;
      }
      setProblem(formErrorsFrom(await response.json().catch(() => undefined), response.status, []).form.join(' '));
    } catch {
      setProblem('The board did not answer; try again.');
    }
    setRemoving(false);
  }

  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        onClick={remove}
        disabled={removing}
        aria-label={`Remove check ${checkName}`}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-red-800 shadow-sm hover:bg-red-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:outline-none disabled:cursor-not-allowed disabled:text-slate-500"
      >
        {removing ? 'Removing…' : 'Remove'}
      </button>
      {problem && (
        <p role="alert" className="text-xs text-red-800">
          {problem}
        </p>
      )}
    </div>
  );
}
