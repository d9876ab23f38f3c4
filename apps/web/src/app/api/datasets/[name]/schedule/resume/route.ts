import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }): Promise<Response> {
  const { name } = await params;
  return forwardToApi(request, `/v1/datasets/${encodeURIComponent(name)}/schedule/resume`);
}
