/**
 * The process-wide policy posture: the cluster source chosen by the configuration, the policy
 * engine over it, and findings fed with the flows the hub has seen (pulled once a second from the
 * hub's recent-flow ring, so the ingest hot path does not grow). Shared on globalThis like the hub.
 */

import { PolicyPosture } from '../policy/policy-posture';
import type { ClusterSource } from '../k8s/cluster-source';
import { clusterSourceFromConfig } from './cluster-source-from-config';
import { loadConfig } from './config';
import { getHub } from './global-hub';

const KEY = Symbol.for('flowsight.posture');

export interface PostureService {
  source: ClusterSource;
  posture: PolicyPosture;
}

type Holder = { [KEY]?: Promise<PostureService> };

/** Returns the process-wide posture service, starting it (and its cluster source) on first use. */
export function getPosture(): Promise<PostureService> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    const config = loadConfig();
    const source = clusterSourceFromConfig(config);
    await source.start();
    const posture = new PolicyPosture(source);
    posture.start();
    const hub = await getHub();
    let cursor = Math.max(0, hub.recent.next - hub.recent.capacity);
    const feed = setInterval(() => {
      const batch = hub.recent.since(cursor, () => true, hub.recent.capacity);
      cursor = batch.next;
      if (batch.flows.length) posture.addFlows(batch.flows);
    }, 1000);
    feed.unref?.();
    return { source, posture };
  })();
  return g[KEY]!;
}
