import { runtime } from '@/lib/server/runtime';
import { signOut } from '@/lib/server/access/sign-in';

/** Ends the browser's session and sends it back to /login. */
export function POST(request: Request): Promise<Response> {
  return signOut(request, runtime().auth());
}
