import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE, isAuthorized } from './lib/server/auth';

/** Requires the shared token on every page and API call when FLOWSIGHT_AUTH_TOKEN is set. */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const token = process.env.FLOWSIGHT_AUTH_TOKEN?.trim();
  if (!token) return NextResponse.next();
  const ok = await isAuthorized(token, request.headers.get('authorization'), request.cookies.get(SESSION_COOKIE)?.value);
  if (ok) return NextResponse.next();
  if (request.nextUrl.pathname.startsWith('/api/')) {
    return NextResponse.json({ error: 'authentication required: send "Authorization: Bearer <FLOWSIGHT_AUTH_TOKEN>" or sign in at /login' }, { status: 401 });
  }
  const login = new URL('/login', request.url);
  login.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ['/((?!login|api/login|_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
