import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function PATCH(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return forwardToApi(request, `/v1/destinations/${encodeURIComponent(id)}`);
}

export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return forwardToApi(request, `/v1/destinations/${encodeURIComponent(id)}`);
}
