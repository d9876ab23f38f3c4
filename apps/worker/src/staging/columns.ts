import { ROW_NUMBER_COLUMN, type StagedColumn } from '@relayboard/db';
const MAX_IDENTIFIER_BYTES = 63;

function toSnakeCase(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function truncateBytes(name: string, maxBytes: number): string {
  // Names are ASCII after snake-casing, so bytes and characters agree.
  return name.slice(0, maxBytes).replace(/_+$/, '');
}

/**
 * Header cells -> column names: snake_case ASCII, non-empty, at most 63 bytes,
 * not starting with a digit, unique (suffix _2, _3, ...), never the reserved
 * row-number column. The original text is kept beside each name.
 */
export function normalizeColumns(headers: string[]): StagedColumn[] {
  const taken = new Set<string>([ROW_NUMBER_COLUMN]);
  return headers.map((original, index) => {
    let base = toSnakeCase(original);
    if (base === '') base = `column_${index + 1}`;
    if (/^[0-9]/.test(base)) base = `c_${base}`;
    base = truncateBytes(base, MAX_IDENTIFIER_BYTES);
    let name = base;
    for (let n = 2; taken.has(name); n++) {
      const suffix = `_${n}`;
      name = `${truncateBytes(base, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
    }
    taken.add(name);
    return { name, originalName: original, type: 'text' };
  });
}
