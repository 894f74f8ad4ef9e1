import { requireClusterWide } from '@/lib/server/request-scope';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Prometheus metrics (lib/server/metrics.ts). Behind the same access check as the API: a scraper sends the bearer token. */
export async function GET(request: Request): Promise<Response> {
  // Counts over the whole cluster: not for a user limited to some namespaces.
  const refused = await requireClusterWide(request);
  if (refused) return refused;
  const { text, contentType } = await runtime().metrics().exposition();
  return new Response(text, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
}
