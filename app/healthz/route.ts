export const dynamic = 'force-dynamic';

/** Liveness for Kubernetes: the server answers. Unauthenticated (probes carry no token) and says nothing else. */
export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
}
