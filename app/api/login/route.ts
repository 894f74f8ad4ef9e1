import { SESSION_COOKIE, constantTimeEqual, safeNextPath, sessionValue } from '@/lib/server/auth';

/** Exchanges the shared token (form field `token`) for a session cookie. */
export async function POST(request: Request): Promise<Response> {
  const expected = process.env.FLOWSIGHT_AUTH_TOKEN?.trim();
  const form = await request.formData().catch(() => null);
  const token = form?.get('token');
  const next = safeNextPath(typeof form?.get('next') === 'string' ? (form!.get('next') as string) : null);
  if (!expected) return Response.redirect(new URL(next, request.url), 303);
  if (typeof token !== 'string' || token.length > 512 || !constantTimeEqual(token, expected)) {
    return Response.redirect(new URL(`/login?error=1&next=${encodeURIComponent(next)}`, request.url), 303);
  }
  const secure = new URL(request.url).protocol === 'https:' ? '; Secure' : '';
  return new Response(null, {
    status: 303,
    headers: {
      Location: new URL(next, request.url).toString(),
      'Set-Cookie': `${SESSION_COOKIE}=${await sessionValue(expected)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200${secure}`,
    },
  });
}
