import type { DestinationLastDelivery, RunEvent, RunStatus, StepStatus } from '@relayboard/contracts';

type BadgeStatus = RunStatus | StepStatus | RunEvent['level'] | DestinationLastDelivery['status'];

// The word is always shown; colour and glyph only repeat it for people who can see them.
const STYLES: Record<BadgeStatus, { glyph: string; className: string }> = {
  queued: { glyph: '○', className: 'bg-slate-100 text-slate-700 ring-slate-300' },
  pending: { glyph: '○', className: 'bg-white text-slate-600 ring-slate-300' },
  running: { glyph: '●', className: 'bg-sky-50 text-sky-800 ring-sky-300' },
  succeeded: { glyph: '✓', className: 'bg-emerald-50 text-emerald-800 ring-emerald-300' },
  failed: { glyph: '✕', className: 'bg-red-50 text-red-800 ring-red-300' },
  canceled: { glyph: '⊘', className: 'bg-amber-50 text-amber-800 ring-amber-300' },
  skipped: { glyph: '↷', className: 'bg-slate-50 text-slate-500 ring-slate-200' },
  sending: { glyph: '●', className: 'bg-sky-50 text-sky-800 ring-sky-300' },
  sent: { glyph: '✓', className: 'bg-emerald-50 text-emerald-800 ring-emerald-300' },
  suppressed: { glyph: '↷', className: 'bg-slate-50 text-slate-600 ring-slate-300' },
  // A post whose answer was lost: it may or may not be in the channel.
  unknown: { glyph: '?', className: 'bg-amber-50 text-amber-800 ring-amber-300' },
  info: { glyph: 'i', className: 'bg-slate-50 text-slate-700 ring-slate-200' },
  warn: { glyph: '!', className: 'bg-amber-50 text-amber-800 ring-amber-300' },
  error: { glyph: '✕', className: 'bg-red-50 text-red-800 ring-red-300' },
};

export function StatusBadge({ status }: { status: BadgeStatus }) {
  const { glyph, className } = STYLES[status];
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${className}`}
    >
      <span
        aria-hidden="true"
        className={
          status === 'running' || status === 'sending' ? 'animate-pulse motion-reduce:animate-none' : undefined
        }
      >
        {glyph}
      </span>
      {status}
    </span>
  );
}
