import { answer } from '@/lib/api/route-helpers';
import { whoAmI } from '@/lib/server/request-scope';

export const dynamic = 'force-dynamic';

/** Who is signed in and which namespaces they may see. */
export async function GET(request: Request): Promise<Response> {
  const me = await whoAmI(request);
  return me instanceof Response ? me : answer('/api/me', me);
}
