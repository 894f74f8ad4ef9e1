import { requestScope } from '@/lib/server/request-scope';
import { scopeGraph } from '@/lib/server/access/access-scope';
import { problemResponse } from '@/lib/api/problem';
import { answer, parseQuery } from '@/lib/api/route-helpers';
import { pastGraph } from '@/lib/server/past-graph';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * The workload graph: as it stands (the live map), or of a past window (`since`, optional `until`)
 * folded from the history's per-edge aggregates into the same shape, edges coloured over every layer.
 */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/graph', request);
  if (q instanceof Response) return q;
  const { range } = q.value;
  const scope = await requestScope(request);
  if (scope instanceof Response) return scope;
  if (!range) return answer('/api/graph', scopeGraph(scope, (await runtime().hub()).graphSnapshot()));
  try {
    const rt = runtime();
    const store = await rt.history();
    if (!store) return problemResponse(409, 'History is off', 'the flow history is off (FLOWSIGHT_HISTORY=off): only the live map can be shown; leave out since and until', undefined, { code: 'history-off' });
    return answer('/api/graph', scopeGraph(scope, await pastGraph(store, range, rt, request.signal)));
  } catch (err) {
    // The store failed to open or to answer: say so rather than draw the live map for a past window.
    return problemResponse(503, 'History unavailable', `the flow history could not answer: ${err instanceof Error ? err.message : String(err)}`, undefined, { code: 'history-unavailable' });
  }
}
