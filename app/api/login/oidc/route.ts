import { startOidcSignIn } from '@/lib/server/access/oidc-sign-in';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Sends the browser to the OIDC issuer to sign in. */
export function GET(request: Request): Promise<Response> {
  return startOidcSignIn(request, runtime().auth());
}
