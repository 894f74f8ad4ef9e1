import { answer, badRequest, notFound, parseQuery } from '@/lib/api/route-helpers';
import { explainNow } from '@/lib/server/posture-api';

export const dynamic = 'force-dynamic';

/** Why a map edge (`edge`) or a connection (`from`, `to`, `port`, `protocol`, ...) is allowed or denied. */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/explain', request);
  if (q instanceof Response) return q;
  const result = await explainNow(q.value);
  if (!result.ok) {
    const { code, message } = result.error;
    return code === 'bad-edge' || code === 'invalid-peer' ? badRequest(message, code) : notFound(message, code);
  }
  return answer('/api/explain', result.explanation);
}
