import { answer, parseQuery } from '@/lib/api/route-helpers';
import { explainFlowQuery } from '@/lib/flows/filter-explanation';
import { edgeEnds } from '@/lib/graph/graph-ids';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Latest flows held in memory, newest first; `edge` / `node` narrow to one graph element.
 * `explanation` says how the filter's fields combine, for a page to show when nothing matches.
 */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/flows', request);
  if (q instanceof Response) return q;
  const { predicate, query, limit, edge, node } = q.value;
  const started = performance.now();
  const hub = await runtime().hub();
  const flows = hub.latestFlows((f, edgeId) => {
    if (edge && edgeId !== edge) return false;
    if (node) {
      const ends = edgeEnds(edgeId);
      if (!ends || (ends.source !== node && ends.target !== node)) return false;
    }
    return predicate(f);
  }, limit);
  return answer('/api/flows', {
    flows,
    explanation: explainFlowQuery(query),
    source: 'live',
    nextCursor: null,
    range: { since: null, until: null },
    tookMs: Math.round(performance.now() - started),
  });
}
