import { requestScope } from '@/lib/server/request-scope';
import { answer, parseQuery } from '@/lib/api/route-helpers';
import { flowValues, searchProblem } from '@/lib/server/flow-search';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Stored values of one field starting with `prefix`, for the search box's completion. */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/flows/values', request);
  if (q instanceof Response) return q;
  const rt = runtime();
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const store = await rt.history().catch(() => null);
  try {
    return answer('/api/flows/values', await flowValues(q.value, { store, gate: rt.historyReads, signal: request.signal, scope }));
  } catch (err) {
    const problem = searchProblem(err);
    if (problem) return problem;
    throw err;
  }
}
