import 'server-only';
import { apiBaseUrl, ApiUnreachableError } from './api';
import { authorizationFor, sessionToken } from './session';

// Only what the api reads crosses over; cookies and the browser's other headers stay on the board (the session's token goes as Authorization).
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'last-event-id'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'location'];

function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause) return String(cause.code);
  return error instanceof Error ? error.message : String(error);
}

/**
 * Forwards a browser request to the api and hands back its answer as a stream, both
 * ways: an upload goes through without the board holding the file, and a server-sent
 * event stream reaches the browser as the api writes it. The browser's disconnect
 * cancels the api request.
 */
export async function forwardToApi(
  request: Request,
  path: string,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const baseUrl = apiBaseUrl();
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // Set by the board's own route handlers (never taken from the browser), e.g. X-Relayboard-Source.
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  for (const [name, value] of Object.entries(authorizationFor(await sessionToken()))) headers.set(name, value);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== null;

  let upstream: Response;
  try {
    upstream = await fetch(`${baseUrl}${path}`, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      // Node's fetch needs this to send a body that is still arriving.
      ...(hasBody ? { duplex: 'half' } : {}),
      cache: 'no-store',
      redirect: 'manual',
      signal: request.signal,
    } as RequestInit);
  } catch (error) {
    const problem = new ApiUnreachableError(baseUrl, describe(error));
    return Response.json(
      { error: { code: 'api_unreachable', message: `${problem.message}: start it with ./relayboard up` } },
      { status: 502 },
    );
  }

  const responseHeaders = new Headers();
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) responseHeaders.set(name, value);
  }
  if (responseHeaders.get('content-type')?.startsWith('text/event-stream')) {
    responseHeaders.set('cache-control', 'no-cache, no-transform');
    // Proxies in front of the board must not hold events back to fill a buffer.
    responseHeaders.set('x-accel-buffering', 'no');
  }
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}
