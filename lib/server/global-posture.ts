/**
 * The process-wide policy posture: the cluster source chosen by the configuration, the policy
 * engine over it, and findings fed with the flows the hub has seen (pulled once a second from the
 * hub's recent-flow ring, so the ingest hot path does not grow). Shared on globalThis like the hub.
 * A start that fails is not kept: the next caller tries again.
 */

import { processSingleton } from './process-singleton';
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

/**
 * Returns the process-wide posture service, starting it (and its cluster source) on first use; a
 * failed start (e.g. the hub could not start yet) is retried by the next call.
 */
export function getPosture(): Promise<PostureService> {
  return processSingleton(KEY, startPosture);
}

async function startPosture(): Promise<PostureService> {
  // Paths were checked at start-up; one that vanished since is the source's error to report, not a 500.
  const config = loadConfig(process.env, { checkPaths: false });
  const source = clusterSourceFromConfig(config);
  await source.start();
  // Flows always come from a Hubble Relay (a real one or the demo's), and Hubble runs on Cilium.
  const posture = new PolicyPosture(source, { datapath: { setting: config.datapath, settingName: 'FLOWSIGHT_DATAPATH', hubbleRelay: true } });
  posture.start();
  try {
    const hub = await getHub();
    let cursor = Math.max(0, hub.recent.next - hub.recent.capacity);
    const feed = setInterval(() => {
      const batch = hub.recent.since(cursor, () => true, hub.recent.capacity);
      cursor = batch.next;
      if (batch.flows.length) posture.addFlows(batch.flows);
    }, 1000);
    feed.unref?.();
  } catch (err) {
    posture.stop();
    await source.stop().catch(() => undefined);
    throw err;
  }
  return { source, posture };
}
