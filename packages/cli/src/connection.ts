import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@relayboard/config';

export const DEFAULT_API_URL = 'http://127.0.0.1:4000';

/** Where the CLI finds the api and its token: flags, then the environment, then the local stack's files. */
export interface Connection {
  apiUrl: string;
  token: string | null;
  /** Where each came from, for error messages ("--token", "RELAYBOARD_TOKEN", ".relayboard/admin-token"). */
  apiUrlFrom: string;
  tokenFrom: string | null;
}

export interface ConnectionInputs {
  flags: { apiUrl?: string; token?: string };
  env: Record<string, string | undefined>;
  /** The local stack's folder (`.relayboard/` in the repository, or RELAYBOARD_HOME). */
  home: string;
  readFile?: (file: string) => string | null;
}

const readIfThere = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** The local stack's folder: RELAYBOARD_HOME, else `.relayboard/` at the repository root (as `./relayboard up` uses). */
export function stackHome(env: Record<string, string | undefined>): string {
  return env.RELAYBOARD_HOME || path.join(findRepoRoot(__dirname), '.relayboard');
}

export function resolveConnection({ flags, env, home, readFile = readIfThere }: ConnectionInputs): Connection {
  const fromFile = (name: string) => {
    const text = readFile(path.join(home, name))?.trim();
    return text ? text : null;
  };
  /** The first source that has a value, and its name for messages: a flag, an environment variable, the stack's file. */
  const first = (...sources: [string | null | undefined, string][]): [string | null, string | null] => {
    const found = sources.find(([value]) => value);
    return found ? [found[0]!, found[1]] : [null, null];
  };
  const [apiUrlGiven, apiUrlGivenFrom] = first(
    [flags.apiUrl, '--api-url'],
    [env.RELAYBOARD_API_URL, 'RELAYBOARD_API_URL'],
    [fromFile('api-url'), path.join(home, 'api-url')],
  );
  const [apiUrl, apiUrlFrom] = [apiUrlGiven ?? DEFAULT_API_URL, apiUrlGivenFrom ?? 'the default'];
  const [token, tokenFrom] = first(
    [flags.token, '--token'],
    [env.RELAYBOARD_TOKEN, 'RELAYBOARD_TOKEN'],
    [fromFile('admin-token'), path.join(home, 'admin-token')],
  );
  let parsed: URL;
  try {
    parsed = new URL(apiUrl);
  } catch {
    throw new Error(
      `the api URL ${JSON.stringify(apiUrl)} (from ${apiUrlFrom}) is not a URL; pass one like ${DEFAULT_API_URL} with --api-url or RELAYBOARD_API_URL`,
    );
  }
  if (!['http:', 'https:'].includes(parsed.protocol))
    throw new Error(`the api URL ${apiUrl} (from ${apiUrlFrom}) must be http(s)`);
  return { apiUrl: apiUrl.replace(/\/+$/, ''), token, apiUrlFrom, tokenFrom };
}
