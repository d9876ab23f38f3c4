import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return forwardToApi(request, `/v1/destinations/${encodeURIComponent(id)}/test`);
}
