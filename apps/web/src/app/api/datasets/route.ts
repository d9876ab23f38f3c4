import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

/** Datasets by name (the runs filter asks for names starting with what a person typed). */
export async function GET(request: Request): Promise<Response> {
  return forwardToApi(request, `/v1/datasets${new URL(request.url).search}`);
}
