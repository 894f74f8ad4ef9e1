import { answer, badRequest, parseQuery } from '@/lib/api/route-helpers';
import { flowHistogram, SearchInputError } from '@/lib/server/flow-search';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Flow counts per verdict over time for a search and window (the hour before now by default). */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/flows/histogram', request);
  if (q instanceof Response) return q;
  const rt = runtime();
  try {
    const store = await rt.history().catch(() => null);
    return answer('/api/flows/histogram', await flowHistogram(q.value, { live: await rt.hub(), store, signal: request.signal }));
  } catch (err) {
    if (err instanceof SearchInputError) return badRequest(`invalid parameter "${err.param}": ${err.message}`, 'invalid-parameters');
    throw err;
  }
}
