import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

/** The api's server-sent events for one run, streamed through so the browser never talks to the api. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return forwardToApi(request, `/v1/runs/${encodeURIComponent(id)}/events`);
}
