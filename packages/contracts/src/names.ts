import { z } from 'zod';

export const DATASET_NAME_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

export const DATASET_NAME_RULE =
  'a dataset name must match ^[a-z][a-z0-9_]{0,47}$ (start with a lowercase letter; lowercase letters, digits and _; at most 48 characters), must not contain "__" and must not start with "stg_"';

/**
 * `__` separates a dataset from its derived relations (`<name>__rejects`,
 * `<name>__profile`) and `stg_` prefixes the dbt staging model, so names that
 * use either could collide with another dataset's relations.
 */
export function isValidDatasetName(name: string): boolean {
  return DATASET_NAME_PATTERN.test(name) && !name.includes('__') && !name.startsWith('stg_');
}

export const datasetNameSchema = z.string().refine(isValidDatasetName, { message: DATASET_NAME_RULE });
