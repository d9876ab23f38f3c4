import 'server-only';
import { cookies } from 'next/headers';
import { BOARD_SESSION_COOKIE } from '@relayboard/contracts';

/** The api token the person signed in with, from the board's httpOnly session cookie; null when signed out. */
export async function sessionToken(): Promise<string | null> {
  return (await cookies()).get(BOARD_SESSION_COOKIE)?.value || null;
}

/** The Authorization header the board sends the api on the signed-in person's behalf (none when signed out). */
export function authorizationFor(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Where sign-in sends a person back to: a path of the board only (never another site, never the sign-in page itself). */
export function safeReturnPath(value: unknown): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\') ||
    value.startsWith('/sign-in')
  )
    return '/';
  return value;
}
