/** Cluster objects from a manifests file or directory (`FLOWSIGHT_MANIFESTS`), e.g. a GitOps checkout. */

import { promises as fs, watch as fsWatch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { ClusterSource, ClusterSourceStatus, SnapshotListener } from './cluster-source';
import { ClusterObjectStore } from './object-store';
import { parseManifestText } from './parse-manifests';
import type { SourceError } from './source-error';
import type { ClusterSnapshot } from './types';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ManifestsSourceOptions {
  /** Reload when files under the path change (fs.watch); off by default (CLI runs load once). */
  watch?: boolean;
}

/** Reads every .yaml/.yml/.json under `root` (recursively), in a stable order. */
export class ManifestsSource implements ClusterSource {
  private store = new ClusterObjectStore();
  private errors: SourceError[] = [];
  private lastSyncAt: number | undefined;
  private readonly listeners = new Set<SnapshotListener>();
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly root: string,
    private readonly options: ManifestsSourceOptions = {},
  ) {}

  async start(): Promise<void> {
    await this.reload();
    if (this.options.watch) {
      this.watcher = fsWatch(this.root, { recursive: true }, () => {
        // Editors write files in several steps: wait for the burst to end.
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.reload(), 200);
      });
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.reloadTimer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Re-reads everything; a file that vanished or broke only costs its own objects. */
  async reload(): Promise<void> {
    const store = new ClusterObjectStore();
    const errors: SourceError[] = [];
    const files = await listManifestFiles(this.root, errors);
    for (const file of files) {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        errors.push({ code: 'file-unreadable', message: errorMessage(err), where: { file } });
        continue;
      }
      const parsed = parseManifestText(text, file);
      for (const o of parsed.objects) store.upsert(o);
      errors.push(...parsed.errors);
    }
    this.store = store;
    this.errors = errors;
    this.lastSyncAt = Date.now();
    const snap = store.snapshot();
    for (const l of this.listeners) l(snap);
  }

  snapshot(): ClusterSnapshot {
    return this.store.snapshot();
  }

  onChange(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): ClusterSourceStatus {
    return { kind: 'manifests', lastSyncAt: this.lastSyncAt, stale: false, errors: [...this.errors] };
  }
}

async function listManifestFiles(root: string, errors: SourceError[]): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(root);
  } catch (err) {
    errors.push({ code: 'file-unreadable', message: errorMessage(err), where: { file: root } });
    return [];
  }
  if (stat.isFile()) return [root];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue; // .git and editor swap files
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (MANIFEST_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(full);
    }
  };
  await walk(root);
  return out;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
