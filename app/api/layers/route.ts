import { getHub } from '@/lib/server/global-hub';
import { clusterContext, flowOfEdge, layersOf, observedFlowOf } from '@/lib/server/azure-view';
import { parseLayersQuery } from '@/lib/server/layers-query';

export const dynamic = 'force-dynamic';

/** The three-layer strip (NSG / network policy / egress firewall) of a flow: by uuid, by map edge, or spelled out. */
export async function GET(request: Request): Promise<Response> {
  const parsed = parseLayersQuery(new URL(request.url).searchParams);
  if (!parsed.ok) {
    return Response.json({ error: parsed.problems.map((p) => `invalid parameter "${p.param}": ${p.message}`).join('\n'), problems: parsed.problems }, { status: 400 });
  }
  const q = parsed.query;
  const ctx = await clusterContext();
  let flow;
  if (q.kind === 'flow') flow = q.flow;
  else {
    const hub = await getHub();
    if (q.kind === 'uuid') {
      const f = hub.latestFlows((x) => x.uuid === q.uuid, 1)[0];
      flow = f && observedFlowOf(f);
    } else flow = flowOfEdge(hub, q.edge, ctx.cluster);
  }
  if (!flow) return Response.json({ error: q.kind === 'uuid' ? 'that flow is no longer held in memory' : 'no recent flow on that edge to evaluate' }, { status: 404 });
  return Response.json(await layersOf(flow, ctx), { headers: { 'Cache-Control': 'no-store' } });
}
