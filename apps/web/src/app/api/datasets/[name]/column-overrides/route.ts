import { forwardToApi } from '@/lib/api-proxy';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ name: string }> };

/** The column override form sends the dataset's whole set; the api validates it. */
export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { name } = await params;
  return forwardToApi(request, `/v1/datasets/${encodeURIComponent(name)}/column-overrides`);
}
