import { formatTimestamp } from '@/lib/format';

export function Timestamp({ iso }: { iso: string | null }) {
  if (iso === null) return <span className="text-slate-500">—</span>;
  return <time dateTime={iso}>{formatTimestamp(iso)}</time>;
}
