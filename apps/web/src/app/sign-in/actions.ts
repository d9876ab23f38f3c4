'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { loadConfig } from '@relayboard/config';
import { BOARD_SESSION_COOKIE, currentTokenSchema, errorResponseSchema } from '@relayboard/contracts';
import { apiBaseUrl } from '@/lib/api';
import { safeReturnPath } from '@/lib/session';

export interface SignInState {
  error: string | null;
}

/**
 * Checks the token with the api (GET /v1/tokens/current) and, when it works, keeps it in the board's
 * session cookie: httpOnly (page scripts never see it), SameSite=Lax, Secure when the board is served
 * over https, and no expiry (it ends with the browser session or at "Sign out").
 */
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const token = String(form.get('token') ?? '').trim();
  if (!token) return { error: 'Enter an api token (./relayboard up writes one to .relayboard/admin-token).' };
  let response: Response;
  try {
    response = await fetch(`${apiBaseUrl()}/v1/tokens/current`, {
      cache: 'no-store',
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return {
      error: `The api at ${apiBaseUrl()} did not answer (${(error as Error).message}); start it with ./relayboard up.`,
    };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const problem = errorResponseSchema.safeParse(body);
    return {
      error: problem.success
        ? `That token does not work: ${problem.data.error.message}`
        : `The api answered HTTP ${response.status}.`,
    };
  }
  if (!currentTokenSchema.safeParse(body).success)
    return { error: 'The api answered with a body this board does not understand.' };
  (await cookies()).set(BOARD_SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: loadConfig().web.url.startsWith('https:'),
    path: '/',
  });
  redirect(safeReturnPath(form.get('next')));
}

export async function signOut(): Promise<void> {
  (await cookies()).delete(BOARD_SESSION_COOKIE);
  redirect('/sign-in');
}
