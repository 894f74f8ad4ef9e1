import { parseQuery } from '@/lib/api/route-helpers';
import { runtime as flowsightRuntime } from '@/lib/server/runtime';
import { openSseStream } from '@/lib/server/sse';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Server-Sent Events: a snapshot, then throttled graph deltas, counters and a sample of matching flows. */
export async function GET(request: Request): Promise<Response> {
  // `sample=0`: a page that lists no flows (map, overview) gets the graph and counters only (predicate null).
  const q = parseQuery('/api/stream', request);
  if (q instanceof Response) return q;
  const hub = await flowsightRuntime().hub();
  return openSseStream(request, (client) => hub.subscribe({ ...client, predicate: q.value.predicate }));
}
