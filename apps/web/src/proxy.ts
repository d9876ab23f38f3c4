import { NextResponse, type NextRequest } from 'next/server';
import { BOARD_SESSION_COOKIE } from '@relayboard/contracts';
import { apiBaseUrl } from '@/lib/api';

/**
 * Every board page needs a signed-in session whose token the api still takes: the api is asked
 * (GET /v1/tokens/current) with the session's token, and a 401 (no cookie, a revoked or expired
 * token) sends the person to the sign-in page, back here afterwards. With AUTH=off on the api the
 * question is answered without a token, so the board asks for none either.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const token = request.cookies.get(BOARD_SESSION_COOKIE)?.value;
  let status: number;
  try {
    const response = await fetch(`${apiBaseUrl()}/v1/tokens/current`, {
      cache: 'no-store',
      headers: token
        ? { accept: 'application/json', authorization: `Bearer ${token}` }
        : { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    status = response.status;
  } catch {
    // The page itself says that the api does not answer, and how to start it.
    return NextResponse.next();
  }
  if (status !== 401) return NextResponse.next();
  const signIn = new URL('/sign-in', request.url);
  signIn.search = '';
  signIn.searchParams.set('next', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  if (token) signIn.searchParams.set('reason', 'expired');
  const redirect = NextResponse.redirect(signIn);
  if (token) redirect.cookies.delete(BOARD_SESSION_COOKIE);
  return redirect;
}

export const config = {
  // Pages only: the board's /api route handlers answer the api's own 401 as JSON, and sign-in and static files are open.
  matcher: ['/((?!api/|_next/|sign-in|icon\\.svg|favicon\\.ico).*)'],
};
