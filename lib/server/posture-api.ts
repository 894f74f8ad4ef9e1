/**
 * What the posture routes (`/api/posture`, `/api/policies`, `/api/explain`) answer, over the runtime's
 * posture service, Azure data and edge flows. Route handlers validate input and call one of these.
 */

import { scopePolicyPeers, scopeSourceHealth } from './access/access-scope';
import { inScope, type NamespaceScope } from './access/namespace-access';
import { explainConnection, explainEdge, type ExplainResult } from './views/explain-connection';
import { policyCatalog, type CatalogQuery, type PolicyCatalog } from './views/policy-catalog';
import { scoreBasis } from '../posture/posture-score';
import { postureReport, sourceHealth, type PostureReport, type SourceHealth } from '../posture/posture-report';
import type { AzureSnapshot } from '../azure/types';
import type { ExplainRequest } from '../api/posture-requests';
import { runtime, type Runtime } from './runtime';

/** Scores, findings, badges, the posture layer, AUDIT flows per namespace and the source's health. */
export async function currentPostureReport(rt: Runtime = runtime()): Promise<PostureReport> {
  const { source, posture } = await rt.posture();
  // open-egress weighs the Azure controls (NSG, routes, firewall) on each workload's egress path when Azure data is available.
  const azure = await currentAzureSnapshot(rt);
  // Computed in slices: on a large cluster a recompute is about a second of work the live stream must not wait behind.
  const { findings, scores, observed } = await posture.current(azure);
  // The flows the findings weighed: the score's basis says so, since the CLI scores the policies alone.
  const basis = scoreBasis({ scorer: 'dashboard', observedFlows: observed.count, ...(observed.window ? { flowWindow: observed.window } : {}), azure: azure !== undefined });
  return postureReport({ findings, scores, basis, status: source.status(), policyErrors: posture.engine().errors, audit: posture.auditByNamespace() });
}

/** The Azure snapshot of this cluster, or undefined when there is none or it cannot load (the findings then say so). */
function currentAzureSnapshot(rt: Runtime): Promise<AzureSnapshot | undefined> {
  return rt.clusterAzure();
}

/** One page of the policies list, plus the source's health (load errors, stale data). */
export async function currentPolicyCatalog(query: CatalogQuery, scope: NamespaceScope = 'all', rt: Runtime = runtime()): Promise<PolicyCatalog & { source: SourceHealth }> {
  const { source, posture } = await rt.posture();
  const engine = posture.engine();
  const health = sourceHealth(source.status(), engine.errors);
  // A scoped user sees their namespaces' policies; a cluster-wide policy needs cluster-wide access.
  const catalog = policyCatalog(source.snapshot(), engine, query, (ns) => inScope(scope, ns));
  return { ...catalog, policies: scopePolicyPeers(scope, catalog.policies), source: scopeSourceHealth(scope, health) };
}

/** Explains a map edge (from its newest observed flow, while the edge is remembered) or a connection. */
export async function explainNow(request: ExplainRequest, rt: Runtime = runtime()): Promise<ExplainResult> {
  const { source, posture } = await rt.posture();
  const engine = posture.engine();
  const snapshot = source.snapshot();
  if (request.kind === 'edge') return explainEdge(engine, snapshot, request.edge, rt.edgeFlows.latest(request.edge));
  const r = explainConnection(engine, snapshot, request.query);
  if (r.ok && request.reply) r.explanation.notes.unshift('The flow is a reply: explained as the connection it answers (replies of allowed connections pass).');
  return r;
}
