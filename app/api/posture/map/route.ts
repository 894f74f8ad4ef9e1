import { scopePosture } from '@/lib/server/access/access-scope';
import { requestScope } from '@/lib/server/request-scope';
import { answer, parseQuery } from '@/lib/api/route-helpers';
import { mapPosture } from '@/lib/posture/posture-report';
import { currentPostureReport } from '@/lib/server/posture-api';

export const dynamic = 'force-dynamic';

/** What the live map polls: namespace badges, the posture layer, source health (no findings). */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/posture/map', request);
  if (q instanceof Response) return q;
  const scope = await requestScope(request);
  if (scope instanceof Response) return scope;
  return answer('/api/posture/map', mapPosture(scopePosture(scope, await currentPostureReport())));
}
