import { finishOidcSignIn } from '@/lib/server/access/oidc-sign-in';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Where the OIDC issuer sends the browser back: the code becomes a session. */
export function GET(request: Request): Promise<Response> {
  return finishOidcSignIn(request, runtime().auth());
}
