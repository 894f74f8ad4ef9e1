import { runtime } from '@/lib/server/runtime';
import { signIn } from '@/lib/server/access/sign-in';

/** Exchanges the shared token (form field `token`) for a session cookie. */
export function POST(request: Request): Promise<Response> {
  return signIn(request, runtime().auth());
}
