import { narrowScope, scopePosture } from '@/lib/server/access/access-scope';
import { requestScope } from '@/lib/server/request-scope';
import { answer, parseQuery } from '@/lib/api/route-helpers';
import { currentPostureReport } from '@/lib/server/posture-api';

export const dynamic = 'force-dynamic';

/** Posture scores, findings (most severe first, linked to the map), namespace badges, source health; `ns`: of one namespace. */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/posture', request);
  if (q instanceof Response) return q;
  const scope = await requestScope(request);
  if (scope instanceof Response) return scope;
  return answer('/api/posture', scopePosture(narrowScope(scope, q.value.namespace), await currentPostureReport()));
}
