import { invalidParamsResponse, problemResponse } from '@/lib/api/problem';
import { readJsonBody } from '@/lib/server/access/request-guard';
import { parseRecommendBody } from '@/lib/api/what-if-request';
import { requestScope } from '@/lib/server/request-scope';
import { runtime } from '@/lib/server/runtime';
import { checkRecommendScope, refusalResponse, replaysBusy, requireHistory, runRecommendation, streamReplay } from '@/lib/server/what-if';

export const dynamic = 'force-dynamic';

/**
 * Least-privilege policies for a namespace (or one workload) from the allowed traffic of a window,
 * simulated over the same window, and compared with what is deployed. Streams progress, then the answer.
 */
export async function POST(request: Request): Promise<Response> {
  const rt = runtime();
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const body = await readJsonBody(request);
  if (body instanceof Response) return body;
  const parsed = parseRecommendBody(body, Date.now());
  if (!parsed.ok) return invalidParamsResponse(parsed.problems);
  try {
    checkRecommendScope(parsed.value, scope);
    await requireHistory(rt);
    const release = rt.replays.tryAcquire();
    if (!release) return replaysBusy();
    const log = rt.logger.child({ component: 'what-if' });
    return streamReplay((progress, signal) => runRecommendation(rt, parsed.value, scope, progress, signal), request.signal, (err) => log.error({ err }, 'recommendation failed'), release);
  } catch (err) {
    const refused = refusalResponse(err);
    if (refused) return refused;
    return problemResponse(500, 'Internal error', 'the recommendation could not start');
  }
}
