/**
 * A dataset name suggested from a file name (`Orders 2026.csv` -> `orders_2026`), for
 * the person to accept or change; the api still decides what is valid.
 */
export function suggestDatasetName(fileName: string): string {
  const base = fileName.replace(/(\.[a-z0-9]+)+$/i, '');
  const words = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .replace(/^stg_/, '');
  if (!words) return '';
  const name = /^[a-z]/.test(words) ? words : `d_${words}`;
  return name.slice(0, 48).replace(/_$/, '');
}
