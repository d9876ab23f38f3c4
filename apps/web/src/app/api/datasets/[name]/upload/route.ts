import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

/** The multipart body is passed on as it arrives: a file of gigabytes never sits in the board's memory. */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }): Promise<Response> {
  const { name } = await params;
  return forwardToApi(request, `/v1/datasets/${encodeURIComponent(name)}/upload`);
}
