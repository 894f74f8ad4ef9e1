import { connectionVisible } from '@/lib/server/access-scope';
import { requestScope } from '@/lib/server/request-scope';
import { answer, badRequest, notFound, parseQuery } from '@/lib/api/route-helpers';
import { explainNow } from '@/lib/server/posture-api';

export const dynamic = 'force-dynamic';

/** Why a map edge (`edge`) or a connection (`from`, `to`, `port`, `protocol`, ...) is allowed or denied. */
export async function GET(request: Request): Promise<Response> {
  const q = parseQuery('/api/explain', request);
  if (q instanceof Response) return q;
  const scope = await requestScope(request);
  if (scope instanceof Response) return scope;
  const result = await explainNow(q.value);
  // Out of scope reads as absent: a scoped user learns nothing of connections between others.
  if (result.ok && !connectionVisible(scope, result.explanation.connection.from, result.explanation.connection.to)) return notFound('no such connection in the namespaces you may read', 'out-of-scope');
  if (!result.ok) {
    const { code, message } = result.error;
    return code === 'bad-edge' || code === 'invalid-peer' ? badRequest(message, code) : notFound(message, code);
  }
  return answer('/api/explain', result.explanation);
}
