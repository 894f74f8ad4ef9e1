import { parseQuery } from '@/lib/api/route-helpers';
import { streamAccess } from '@/lib/server/access/access-scope';
import { requestScope, watchAccess } from '@/lib/server/request-scope';
import { runtime as flowsightRuntime } from '@/lib/server/runtime';
import { openSseStream } from '@/lib/server/sse';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Server-Sent Events: a snapshot, then throttled graph deltas, counters and a sample of matching
 * flows, narrowed to the namespaces the user may read; the stream ends when the session does.
 */
export async function GET(request: Request): Promise<Response> {
  // `sample=0`: a page that lists no flows (map, overview) gets the graph and counters only (predicate null).
  const q = parseQuery('/api/stream', request);
  if (q instanceof Response) return q;
  const rt = flowsightRuntime();
  const scope = await requestScope(request, rt);
  if (scope instanceof Response) return scope;
  const hub = await rt.hub();
  return openSseStream(request, (client) => {
    const { counting, ...access } = streamAccess(scope, q.value.predicate, (id) => hub.graphNode(id));
    const uncount = counting ? hub.onFlows((batch) => counting.add(batch.flows), { beforeSend: true }) : () => {};
    const unsubscribe = hub.subscribe({ ...client, ...access });
    const unwatch = watchAccess(request, scope, (reason) => client.close(reason), rt);
    return () => {
      unwatch();
      unsubscribe();
      uncount();
    };
  });
}
