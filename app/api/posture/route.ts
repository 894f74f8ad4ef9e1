import { badQueryResponse } from '@/lib/server/request-query';
import { currentPostureReport } from '@/lib/server/posture-api';

export const dynamic = 'force-dynamic';

/** Posture scores, findings (most severe first, linked to the map), namespace badges, source health. */
export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const unknown = [...new Set(params.keys())];
  if (unknown.length) return badQueryResponse([{ param: unknown.join(', '), message: 'this endpoint takes no parameters' }]);
  return Response.json(await currentPostureReport(), { headers: { 'Cache-Control': 'no-store' } });
}
