import { answer, parseQuery } from '@/lib/api/route-helpers';
import { flowValues } from '@/lib/server/flow-search';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Stored values of one field starting with `prefix`, for the search box's completion. */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/flows/values', request);
  if (q instanceof Response) return q;
  const store = await runtime().history().catch(() => null);
  return answer('/api/flows/values', await flowValues(q.value, { store, signal: request.signal }));
}
