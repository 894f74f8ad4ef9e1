import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Readiness for Kubernetes: 200 while the relay stream is up and the other parts have started or
 * reported their error, else 503. Unauthenticated (probes carry no token): the body names the
 * parts' states only, never an address or an error.
 */
export function GET(): Response {
  const { ready, checks } = runtime().readiness();
  return Response.json({ ready, checks }, { status: ready ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}
