import { azurePageData } from '@/lib/server/azure-view';

export const dynamic = 'force-dynamic';

/** The /azure page model: NSGs, effective rules, egress paths, firewall rules with hits, findings, source errors. */
export async function GET(): Promise<Response> {
  const data = await azurePageData();
  return Response.json(data, { headers: { 'Cache-Control': 'no-store' } });
}
