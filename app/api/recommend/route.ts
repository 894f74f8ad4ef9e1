import { parseRecommendBody } from '@/lib/api/what-if-request';
import { answerReplay, checkRecommendScope, runRecommendation } from '@/lib/server/what-if';

export const dynamic = 'force-dynamic';

/**
 * Least-privilege policies for a namespace (or one workload) from the allowed traffic of a window,
 * simulated over the same window, and compared with what is deployed. Streams progress, then the answer.
 */
export function POST(request: Request): Promise<Response> {
  return answerReplay(request, 'recommendation', parseRecommendBody, checkRecommendScope, (rt, req, _checked, scope, progress, signal) => runRecommendation(rt, req, scope, progress, signal));
}
