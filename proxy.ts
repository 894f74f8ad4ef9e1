import { NextResponse, type NextRequest } from 'next/server';
import { gate } from './lib/server/access/access-gate';
import { runtime } from './lib/server/runtime';

/**
 * Refuses cross-site writes and oversized bodies, and requires the shared token on every page and
 * API call when FLOWSIGHT_AUTH_TOKEN is set. Runs on the Node.js runtime (Next 16's default), in
 * the same process as the route handlers: the token, limiter and sign-outs come from the one runtime.
 */
export async function proxy(request: NextRequest): Promise<Response> {
  const refused = await gate(request, runtime().auth());
  if (!refused) return NextResponse.next();
  const location = refused.headers.get('location');
  if (location?.startsWith('/')) {
    // Next's proxy adapter parses Location without a base (a bare path throws), then turns a
    // same-host URL back into a path: the browser still gets `Location: /login?...`.
    const headers = new Headers(refused.headers);
    headers.set('location', new URL(location, request.url).toString());
    return new Response(null, { status: refused.status, headers });
  }
  return refused;
}

export const config = {
  // Sign-in and sign-out check themselves (they must work without a session); the Kubernetes
  // probes carry no token and answer with states only (app/healthz, app/readyz).
  matcher: ['/((?!login|api/login|api/logout|healthz|readyz|_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
