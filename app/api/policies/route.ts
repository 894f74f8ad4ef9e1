import { currentPolicyCatalog } from '@/lib/server/posture-api';
import { parseCatalogQuery } from '@/lib/server/posture-requests';
import { badQueryResponse } from '@/lib/server/request-query';

export const dynamic = 'force-dynamic';

/** Policies with the pods they select, the paths they open and their YAML; `ns`, `kind`, `q`, `offset`, `limit`. */
export async function GET(request: Request): Promise<Response> {
  const query = parseCatalogQuery(new URL(request.url).searchParams);
  if (!query.ok) return badQueryResponse(query.problems);
  return Response.json(await currentPolicyCatalog(query.value), { headers: { 'Cache-Control': 'no-store' } });
}
