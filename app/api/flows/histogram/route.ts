import { requestScope } from '@/lib/server/request-scope';
import { answer, parseQuery } from '@/lib/api/route-helpers';
import { flowHistogram, searchProblem } from '@/lib/server/flow-search';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Flow counts per verdict over time for a search and window (the hour before now by default). */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/flows/histogram', request);
  if (q instanceof Response) return q;
  const rt = runtime();
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  try {
    const store = await rt.history().catch(() => null);
    return answer('/api/flows/histogram', await flowHistogram(q.value, { live: await rt.hub(), store, gate: rt.historyReads, fresh: rt.freshReads, signal: request.signal, scope }));
  } catch (err) {
    const problem = searchProblem(err);
    if (problem) return problem;
    throw err;
  }
}
