/**
 * manifest.json of an evidence bundle: what the bundle holds (every file with its size and SHA-256), when
 * and by which Flowsight it was made, from which data sources (with their last sync times), and whether it
 * is complete. An auditor checks a bundle with `sha256sum` against it; `verifyManifest` does the same.
 */

import { createHash } from 'node:crypto';

export const MANIFEST_SCHEMA = 'flowsight.evidence-manifest/v1';

export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface ManifestSource {
  name: string;
  kind: string;
  /** Where the data came from in words (a directory, a subscription, the demo); no secrets. */
  origin: string;
  /** Epoch ms of the source's last successful sync or load, ISO; null when it never synced. */
  lastSyncAt: string | null;
}

export interface EvidenceManifest {
  schema: typeof MANIFEST_SCHEMA;
  id: string;
  generatedAt: string;
  flowsightVersion: string;
  range: { since: string; until: string };
  scope: { kind: 'cluster' } | { kind: 'namespaces'; namespaces: string[] };
  /** Who asked for it (the signed-in user, `token`, or `open` when auth is off). */
  requestedBy: string;
  /** False when a part could not be made (the browser failed): `problems` says which and why. */
  complete: boolean;
  problems: string[];
  /** The report's headline (score, findings by severity), so a list of bundles need not open each report. */
  summary: { score: number; findings: Record<string, number> };
  sources: ManifestSource[];
  files: ManifestFile[];
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function manifestFile(name: string, bytes: Uint8Array | string): ManifestFile {
  return { name, bytes: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength, sha256: sha256Hex(bytes) };
}

/** Each file the manifest lists that is missing or whose size or hash differs, in words; empty when the bundle verifies. */
export function verifyManifest(manifest: Pick<EvidenceManifest, 'files'>, read: (name: string) => Uint8Array | null): string[] {
  const problems: string[] = [];
  for (const f of manifest.files) {
    const bytes = read(f.name);
    if (!bytes) problems.push(`${f.name}: missing`);
    else if (bytes.byteLength !== f.bytes) problems.push(`${f.name}: ${bytes.byteLength} bytes, the manifest says ${f.bytes}`);
    else if (sha256Hex(bytes) !== f.sha256) problems.push(`${f.name}: SHA-256 differs from the manifest`);
  }
  return problems;
}
