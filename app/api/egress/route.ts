import { egressPageData } from '@/lib/server/egress-view';

export const dynamic = 'force-dynamic';

/** The egress inventory: every workload → internet connection of the live graph with its NSG, policy and firewall verdicts. */
export async function GET(): Promise<Response> {
  return Response.json(await egressPageData(), { headers: { 'Cache-Control': 'no-store' } });
}
