import { getHub } from '@/lib/server/global-hub';
import { badQueryResponse, filterFromSearchParams } from '@/lib/server/request-query';
import { openSseStream } from '@/lib/server/sse';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Server-Sent Events: a snapshot, then throttled graph deltas, counters and a sample of matching flows. */
export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const filter = filterFromSearchParams(params);
  if (!filter.ok) return badQueryResponse(filter.problems);
  // `sample=0`: a page that lists no flows (map, overview) gets the graph and counters only.
  const predicate = params.get('sample') === '0' ? null : filter.predicate;
  const hub = await getHub();
  return openSseStream(request, (client) => hub.subscribe({ ...client, predicate }));
}
