/**
 * SQL text helpers for the few statements that cannot take parameters
 * (identifiers, COMMENT ON). Everything else goes through bound parameters.
 */

/** The column every staging table and rejects table numbers its records in (the record's number in the file's body). */
export const ROW_NUMBER_COLUMN = '_rb_row';

/** Double-quotes an identifier for SQL, doubling any quote inside it. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."name"`, each part quoted. */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A SQL string literal (standard_conforming_strings: only quotes are doubled), for statements that take no parameters (COMMENT ON). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
