import { requestScope } from '@/lib/server/request-scope';
import { answer, parseQuery } from '@/lib/api/route-helpers';
import { searchFlows, searchProblem } from '@/lib/server/flow-search';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Flows, newest first. A search (`q`), a window (`since`/`until`) or a `cursor` reads the flow
 * history; otherwise the latest flows held in memory. `edge` / `node` narrow to one graph element.
 * `explanation` says how the filter's fields combine, for a page to show when nothing matches.
 */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/flows', request);
  if (q instanceof Response) return q;
  const rt = runtime();
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  try {
    const store = q.value.search.asked ? await rt.history().catch(() => null) : null;
    return answer('/api/flows', await searchFlows(q.value, { live: await rt.hub(), store, gate: rt.historyReads, fresh: rt.freshReads, signal: request.signal, scope }));
  } catch (err) {
    const problem = searchProblem(err);
    if (problem) return problem;
    throw err;
  }
}
