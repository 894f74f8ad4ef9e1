import { requireClusterWide } from '@/lib/server/request-scope';
import { answer } from '@/lib/api/route-helpers';
import { azurePageData } from '@/lib/server/azure-view';

export const dynamic = 'force-dynamic';

/** The /azure page model: NSGs, effective rules, egress paths, firewall rules with hits, findings, source errors. */
export async function GET(request: Request): Promise<Response> {
  const refused = await requireClusterWide(request);
  if (refused) return refused;
  return answer('/api/azure', await azurePageData());
}
