import { scopeExplanation } from '@/lib/server/access/access-scope';
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
  if (!result.ok) {
    const { code, message } = result.error;
    return code === 'bad-edge' || code === 'invalid-peer' ? badRequest(message, code) : notFound(message, code);
  }
  // Between two namespaces the user may not read: reads as absent. Otherwise the other side's policies are not shown.
  const visible = scopeExplanation(scope, result.explanation);
  if (!visible) return notFound('no recent flow on that edge to evaluate', 'no-edge-flow');
  return answer('/api/explain', visible);
}
