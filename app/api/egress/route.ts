import { scopeEgress } from '@/lib/server/access/access-scope';
import { requestScope } from '@/lib/server/request-scope';
import { answer } from '@/lib/api/route-helpers';
import { egressPageData } from '@/lib/server/egress-view';

export const dynamic = 'force-dynamic';

/** The egress inventory: every workload → internet connection of the live graph with its NSG, policy and firewall verdicts. */
export async function GET(request: Request): Promise<Response> {
  const scope = await requestScope(request);
  if (scope instanceof Response) return scope;
  return answer('/api/egress', scopeEgress(scope, await egressPageData()));
}
