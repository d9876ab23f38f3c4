import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

export async function DELETE(
  request: Request,
  { params }: { params: Promise<{ name: string; id: string }> },
): Promise<Response> {
  const { name, id } = await params;
  return forwardToApi(request, `/v1/datasets/${encodeURIComponent(name)}/checks/${encodeURIComponent(id)}`);
}
