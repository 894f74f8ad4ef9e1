import { layersVisible } from '@/lib/server/access/access-scope';
import { requestScope } from '@/lib/server/request-scope';
import { answer, notFound, parseQuery } from '@/lib/api/route-helpers';
import { clusterContext, flowOfEdge, layersOf, observedFlowOf } from '@/lib/server/azure-view';
import { runtime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** The three-layer strip (NSG / network policy / egress firewall) of a flow: by uuid, by map edge, or spelled out. */
export async function GET(request: Request): Promise<Response> {
  const parsed = parseQuery('/api/layers', request);
  if (parsed instanceof Response) return parsed;
  const q = parsed.query;
  const scope = await requestScope(request);
  if (scope instanceof Response) return scope;
  const ctx = await clusterContext();
  let flow;
  if (q.kind === 'flow') flow = q.flow;
  else {
    const hub = await runtime().hub();
    if (q.kind === 'uuid') {
      const f = hub.latestFlows((x) => x.uuid === q.uuid, 1)[0];
      flow = f && observedFlowOf(f);
    } else flow = flowOfEdge(hub, runtime().edgeFlows, q.edge, ctx.cluster);
  }
  const absent = () => (q.kind === 'uuid' ? notFound('that flow is no longer held in memory', 'flow-gone') : notFound('no recent flow on that edge to evaluate', 'no-edge-flow'));
  if (!flow) return absent();
  const layers = await layersOf(flow, ctx);
  // Out of scope reads exactly as absent. A spelled-out flow's namespaces are what the client
  // claims: its ends are looked up by address instead.
  if (!layersVisible(scope, layers, q.kind === 'flow' ? (ctx.cluster ?? { pods: [] }) : undefined)) return absent();
  return answer('/api/layers', layers);
}
