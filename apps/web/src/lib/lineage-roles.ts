import type { LineageRole } from '@relayboard/contracts';

/** How each role reads and looks, shared by the graph, its legend and its text list. */
export const ROLE_STYLES: Record<LineageRole, { label: string; className: string }> = {
  source: { label: 'source', className: 'border-slate-400 bg-slate-50' },
  staging: { label: 'staging view', className: 'border-sky-400 bg-sky-50' },
  table: { label: 'table', className: 'border-emerald-500 bg-emerald-50' },
  profile: { label: 'profile', className: 'border-violet-400 bg-violet-50' },
  check: { label: 'check', className: 'border-amber-400 bg-amber-50' },
  test: { label: 'test', className: 'border-orange-300 bg-orange-50' },
  model: { label: 'model', className: 'border-rose-400 bg-rose-50' },
};
