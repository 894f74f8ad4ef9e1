/**
 * Which cluster objects Flowsight reads: the demo scenario alongside the demo relay, a manifests
 * path when FLOWSIGHT_MANIFESTS is set, and the live API server (kubeconfig or in-cluster) when a
 * real relay is configured — flows and policies then come from the same cluster.
 */

import type { ClusterSource } from '../k8s/cluster-source';
import { demoScenarioOfScale } from '../demo/scaled-scenario';
import { DemoSource } from '../k8s/demo-source';
import { LiveSource } from '../k8s/live-source';
import { ManifestsSource } from '../k8s/manifests-source';
import type { Config } from './config';

export function clusterSourceFromConfig(config: Config): ClusterSource {
  if (config.manifests) return new ManifestsSource(config.manifests, { watch: true });
  if (config.relay.mode === 'relay') return new LiveSource();
  // The demo relay's scenario (hub.ts), at FLOWSIGHT_DEMO_SCALE when set.
  return new DemoSource(demoScenarioOfScale(config.demoScale));
}
