import { invalidParamsResponse } from '@/lib/api/problem';
import { json } from '@/lib/api/route-helpers';
import { parseTrafficParams } from '@/lib/api/what-if-request';
import { searchProblem } from '@/lib/server/flow-search';
import { requestScope } from '@/lib/server/request-scope';
import { runtime } from '@/lib/server/runtime';
import { MAX_TRAFFIC_ANSWER, refusalResponse, replaysBusy, replayTraffic } from '@/lib/server/what-if';

export const dynamic = 'force-dynamic';

/**
 * The observed traffic of a window folded into distinct connections: what `flowsight simulate
 * --manifests` replays locally against the manifests of a pull request.
 */
export async function GET(request: Request): Promise<Response> {
  const rt = runtime();
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const parsed = parseTrafficParams(new URL(request.url).searchParams, Date.now());
  if (!parsed.ok) return invalidParamsResponse(parsed.problems);
  const release = rt.replays.tryAcquire();
  if (!release) return replaysBusy();
  try {
    return json(await replayTraffic(rt, parsed.value, scope, request.signal, MAX_TRAFFIC_ANSWER));
  } catch (err) {
    const problem = refusalResponse(err) ?? searchProblem(err);
    if (problem) return problem;
    throw err;
  } finally {
    release();
  }
}
