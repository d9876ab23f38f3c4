import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

/** The api's stream of every run's changes (filtered by its query), streamed through so the browser never talks to the api. */
export async function GET(request: Request): Promise<Response> {
  return forwardToApi(request, `/v1/runs/events${new URL(request.url).search}`);
}
