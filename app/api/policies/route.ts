import { requestScope } from '@/lib/server/request-scope';
import { answer, parseQuery } from '@/lib/api/route-helpers';
import { currentPolicyCatalog } from '@/lib/server/posture-api';

export const dynamic = 'force-dynamic';

/** Policies with the pods they select, the paths they open and their YAML; `ns`, `kind`, `q`, `offset`, `limit`. */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/policies', request);
  if (q instanceof Response) return q;
  const scope = await requestScope(request);
  if (scope instanceof Response) return scope;
  return answer('/api/policies', await currentPolicyCatalog(q.value, scope));
}
