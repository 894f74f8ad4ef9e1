import { answer } from '@/lib/api/route-helpers';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** The relay and hub state, and the flow history's (a store that could not open reads as not ready). */
export async function GET(): Promise<Response> {
  const rt = runtime();
  const hub = await rt.hub();
  const history = await rt.history().then(
    (store) => store?.status() ?? null,
    (err: unknown) => rt.historyFailure(err),
  );
  return answer('/api/status', { ...hub.status(), history });
}
