import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

/** POST /v1/runs/:id/cancel through the board, which the run's events name as the one who asked. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return forwardToApi(request, `/v1/runs/${encodeURIComponent(id)}/cancel`, { 'x-relayboard-source': 'board' });
}
