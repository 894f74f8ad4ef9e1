import { explainFlowQuery } from '@/lib/flows/filter-explanation';
import { getHub } from '@/lib/server/global-hub';
import { badQueryResponse, filterFromSearchParams } from '@/lib/server/request-query';

export const dynamic = 'force-dynamic';

/**
 * Latest flows held in memory, newest first; `edge` / `node` narrow to one graph element.
 * `explanation` says how the filter's fields combine, for a page to show when nothing matches.
 */
export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const filter = filterFromSearchParams(params);
  if (!filter.ok) return badQueryResponse(filter.problems);
  const limitRaw = params.get('limit') ?? '200';
  const limit = Number(limitRaw);
  if (!/^\d+$/.test(limitRaw) || limit < 1 || limit > 2000) {
    return badQueryResponse([{ param: 'limit', message: 'must be an integer from 1 to 2000' }]);
  }
  const edge = params.get('edge');
  const node = params.get('node');
  if ((edge && edge.length > 600) || (node && node.length > 300)) return badQueryResponse([{ param: edge ? 'edge' : 'node', message: 'too long' }]);
  const hub = await getHub();
  const flows = hub.latestFlows((f, edgeId) => {
    if (edge && edgeId !== edge) return false;
    if (node) {
      const [src, dst] = edgeId.split('|');
      if (src !== node && dst !== node) return false;
    }
    return filter.predicate(f);
  }, limit);
  return Response.json({ flows, explanation: explainFlowQuery(filter.query) }, { headers: { 'Cache-Control': 'no-store' } });
}
