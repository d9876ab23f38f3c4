import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ name: string }> };

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { name } = await params;
  return forwardToApi(request, `/v1/datasets/${encodeURIComponent(name)}/schedule`);
}

export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { name } = await params;
  return forwardToApi(request, `/v1/datasets/${encodeURIComponent(name)}/schedule`);
}
