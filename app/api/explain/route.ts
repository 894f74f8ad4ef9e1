import { explainNow } from '@/lib/server/posture-api';
import { parseExplainRequest } from '@/lib/server/posture-requests';
import { badQueryResponse } from '@/lib/server/request-query';

export const dynamic = 'force-dynamic';

/** Why a map edge (`edge`) or a connection (`from`, `to`, `port`, `protocol`, ...) is allowed or denied. */
export async function GET(request: Request): Promise<Response> {
  const parsed = parseExplainRequest(new URL(request.url).searchParams);
  if (!parsed.ok) return badQueryResponse(parsed.problems);
  const result = await explainNow(parsed.value);
  if (!result.ok) return Response.json({ error: result.error.message, code: result.error.code }, { status: result.error.code === 'bad-edge' || result.error.code === 'invalid-peer' ? 400 : 404 });
  return Response.json(result.explanation, { headers: { 'Cache-Control': 'no-store' } });
}
