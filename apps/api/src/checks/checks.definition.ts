import type { CheckConfig, CreateCheckRequest } from '@relayboard/contracts';

/** The dbt test's name; dataset names never contain "__", so names of different datasets never meet. */
export function checkName(dataset: string, check: CreateCheckRequest): string {
  if (check.kind === 'row_count') return `${dataset}__row_count`;
  const base = `${dataset}__${check.kind}_${check.column}`;
  return check.kind === 'relationships' ? `${base}_to_${check.toDataset}` : base;
}

/** What the check needs beyond its kind and column, as stored. */
export function checkConfig(check: CreateCheckRequest): CheckConfig {
  switch (check.kind) {
    case 'accepted_values':
      return { values: check.values };
    case 'relationships':
      return { toDataset: check.toDataset, toColumn: check.toColumn };
    case 'row_count':
      return {
        ...(check.min === undefined ? {} : { min: check.min }),
        ...(check.max === undefined ? {} : { max: check.max }),
      };
    default:
      return {};
  }
}
