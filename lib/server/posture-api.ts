/**
 * What the posture routes (`/api/posture`, `/api/policies`, `/api/explain`) answer, over the process-wide
 * posture service and hub. Route handlers validate input and call one of these.
 */

import { explainConnection, explainEdge, type ExplainResult } from '../policy/explain-connection';
import { policyCatalog, type CatalogQuery, type PolicyCatalog } from '../policy/policy-catalog';
import { scoreBasis } from '../policy/posture-score';
import { postureReport, sourceHealth, type PostureReport, type SourceHealth } from '../policy/posture-report';
import type { AzureSnapshot } from '../azure/types';
import { getAzure } from './global-azure';
import { getHub } from './global-hub';
import { getPosture } from './global-posture';
import type { ExplainRequest } from './posture-requests';

/** Scores, findings, badges, the posture layer and the source's health. */
export async function currentPostureReport(): Promise<PostureReport> {
  const { source, posture } = await getPosture();
  // open-egress weighs the Azure controls on each workload's egress path when Azure data is available.
  const azure = await currentAzureSnapshot();
  // The flows the findings weighed: the score's basis says so, since the CLI scores the policies alone.
  const observed = posture.observedFlows();
  const basis = scoreBasis({ scorer: 'dashboard', observedFlows: observed.count, ...(observed.window ? { flowWindow: observed.window } : {}), azure: azure !== undefined });
  return postureReport({ findings: posture.findings(azure), scores: posture.scores(azure), basis, status: source.status(), policyErrors: posture.engine().errors });
}

/** The Azure snapshot, or undefined when the Azure source cannot load (the findings then say so). */
async function currentAzureSnapshot(): Promise<AzureSnapshot | undefined> {
  try {
    return (await getAzure()).snapshot();
  } catch {
    return undefined;
  }
}

/** One page of the policies list, plus the source's health (load errors, stale data). */
export async function currentPolicyCatalog(query: CatalogQuery): Promise<PolicyCatalog & { source: SourceHealth }> {
  const { source, posture } = await getPosture();
  const engine = posture.engine();
  return { ...policyCatalog(source.snapshot(), engine, query), source: sourceHealth(source.status(), engine.errors) };
}

/** Explains a map edge (from its latest observed flow when the hub still holds one) or a connection. */
export async function explainNow(request: ExplainRequest): Promise<ExplainResult> {
  const { source, posture } = await getPosture();
  const engine = posture.engine();
  const snapshot = source.snapshot();
  if (request.kind === 'edge') {
    const hub = await getHub();
    const [sample] = hub.latestFlows((_f, edgeId) => edgeId === request.edge, 1);
    return explainEdge(engine, snapshot, request.edge, sample);
  }
  const r = explainConnection(engine, snapshot, request.query);
  if (r.ok && request.reply) r.explanation.notes.unshift('The flow is a reply: explained as the connection it answers (replies of allowed connections pass).');
  return r;
}
