import { answer } from '@/lib/api/route-helpers';
import { egressPageData } from '@/lib/server/egress-view';

export const dynamic = 'force-dynamic';

/** The egress inventory: every workload → internet connection of the live graph with its NSG, policy and firewall verdicts. */
export async function GET(): Promise<Response> {
  return answer('/api/egress', await egressPageData());
}
