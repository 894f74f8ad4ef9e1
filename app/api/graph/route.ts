import { getHub } from '@/lib/server/global-hub';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const hub = await getHub();
  return Response.json(hub.graphSnapshot(), { headers: { 'Cache-Control': 'no-store' } });
}
