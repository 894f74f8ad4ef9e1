/** The one interface every cluster source (live API, manifests, demo) implements. */

import type { ClusterSnapshot } from './types';
import type { SourceError } from './source-error';

export type ClusterSourceKind = 'live' | 'manifests' | 'demo';

export interface ClusterSourceStatus {
  kind: ClusterSourceKind;
  /** Epoch ms of the last time the data was known to match the cluster; undefined before the first sync. */
  lastSyncAt?: number;
  /** True when the source lost its upstream: the snapshot is the last known state, from `lastSyncAt`. */
  stale: boolean;
  /** Problems that did not stop the source (bad documents, absent CRDs, broken watches). */
  errors: SourceError[];
}

export type SnapshotListener = (snapshot: ClusterSnapshot) => void;

export interface ClusterSource {
  /** Loads the initial state; resolves once a first snapshot is available (possibly with errors). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The current state. Cheap: rebuilt only after changes. */
  snapshot(): ClusterSnapshot;
  /** Called after every change of the snapshot; returns the unsubscribe function. */
  onChange(listener: SnapshotListener): () => void;
  status(): ClusterSourceStatus;
}
