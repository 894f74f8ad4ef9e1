/** Cluster objects from a manifests file or directory (`FLOWSIGHT_MANIFESTS`), e.g. a GitOps checkout. */

import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { listBoundedFiles, readBoundedFile, type FileLimits, type FileProblem } from '../input-files/bounded-files';
import type { ClusterSource, ClusterSourceStatus, SnapshotListener } from './cluster-source';
import { manifestParser, type ManifestParserKind, type WorkerParserOptions } from './manifest-parser';
import type { ClusterObject } from './normalize';
import { ClusterObjectStore } from './object-store';
import type { SourceError, SourceErrorCode } from './source-error';
import type { ClusterSnapshot } from './types';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface ManifestsSourceOptions {
  /** Reload when files under the path change (fs.watch); off by default (CLI runs load once). */
  watch?: boolean;
  /** `worker` (default): YAML is parsed off the event loop; `inline`: in this thread (the CLI). */
  parser?: ManifestParserKind;
  /** Caps on what is read (defaults: DEFAULT_FILE_LIMITS). */
  limits?: Partial<FileLimits>;
  /** Worker limits (time and heap per file). */
  worker?: WorkerParserOptions;
  /** Quiet time after the last change before a reload (editors write in several steps). */
  debounceMs?: number;
  /** How often to retry watching a path that cannot be watched (e.g. it does not exist yet). */
  watchRetryMs?: number;
}

/** What one file gave, kept while the file is unchanged (so a reload re-parses only what changed). */
interface FileResult {
  stamp: string;
  objects: ClusterObject[];
  errors: SourceError[];
}

/**
 * Reads every .yaml/.yml/.json under `root` (recursively), in a stable order, within the caps of
 * bounded-files.ts. start() never fails on bad input: a missing root, a bad file or a failed reload
 * is an error in status(), and the objects of the good files stay.
 */
export class ManifestsSource implements ClusterSource {
  private store = new ClusterObjectStore();
  private files = new Map<string, FileResult>();
  private errors: SourceError[] = [];
  private watchError: SourceError | undefined;
  private lastSyncAt: number | undefined;
  private stale = false;
  private readonly listeners = new Set<SnapshotListener>();
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private watchRetryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly root: string,
    private readonly options: ManifestsSourceOptions = {},
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.reload();
    if (this.options.watch) this.startWatching();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reloadTimer);
    clearTimeout(this.watchRetryTimer);
    this.watcher?.close();
    this.watcher = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * Re-reads what changed; never rejects. Reloads do not overlap: one asked for while another runs
   * starts after it (and every request meanwhile shares that one).
   */
  reload(): Promise<void> {
    if (this.waiting) return this.waiting;
    if (!this.running) {
      this.running = this.loadOnce().finally(() => (this.running = undefined));
      return this.running;
    }
    this.waiting = this.running.then(() => {
      this.waiting = undefined;
      return this.reload();
    });
    return this.waiting;
  }

  snapshot(): ClusterSnapshot {
    return this.store.snapshot();
  }

  onChange(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): ClusterSourceStatus {
    // While the root itself cannot be read, that error already says why it cannot be watched.
    const errors = [...this.errors];
    if (this.watchError && !errors.some((e) => e.code === 'file-unreadable' && e.where.file === this.root)) errors.push(this.watchError);
    return { kind: 'manifests', lastSyncAt: this.lastSyncAt, stale: this.stale, errors };
  }

  private async loadOnce(): Promise<void> {
    const limits = this.options.limits;
    const parser = manifestParser(this.options.parser ?? 'worker', this.options.worker);
    try {
      const listing = await listBoundedFiles(this.root, { extensions: MANIFEST_EXTENSIONS, limits, allowFileRoot: true });
      if (listing.rootProblem) {
        // Nothing to read. After a good load, keep its objects (marked stale) rather than wiping the
        // cluster for a checkout being replaced; before one, the source is up and empty, with the error.
        this.errors = [{ ...fileError(listing.rootProblem), code: 'file-unreadable' }];
        this.stale = this.lastSyncAt !== undefined;
        return;
      }
      const files = new Map<string, FileResult>();
      const errors: SourceError[] = listing.problems.map(fileError);
      for (const file of listing.files) {
        let result = this.files.get(file.path);
        if (!result || result.stamp !== file.stamp) {
          const read = await readBoundedFile(file, limits?.maxFileBytes);
          if (!read.ok) {
            errors.push(fileError(read.problem));
            continue;
          }
          const parsed = await parser.parse(file.path, read.bytes);
          result = { stamp: file.stamp, ...parsed };
        }
        files.set(file.path, result);
        errors.push(...result.errors);
        if (this.stopped) return;
      }
      const store = new ClusterObjectStore();
      for (const r of files.values()) for (const o of r.objects) store.upsert(o);
      this.files = files;
      this.store = store;
      this.errors = errors;
      this.stale = false;
      this.lastSyncAt = Date.now();
      this.notify();
    } catch (err) {
      // Unforeseen (a bug, not bad input): keep the last good objects and say what happened.
      this.errors = [...this.errors.filter((e) => e.code !== 'parse-failed' || e.where.file !== this.root), { code: 'parse-failed', message: `reload failed: ${errorMessage(err)}`, where: { file: this.root } }];
      this.stale = this.lastSyncAt !== undefined;
    } finally {
      await parser.close();
    }
  }

  private notify(): void {
    const snap = this.store.snapshot();
    for (const l of this.listeners) {
      try {
        l(snap);
      } catch {
        // A failing listener must not fail the reload (nor the other listeners).
      }
    }
  }

  private startWatching(): void {
    if (this.stopped || this.watcher) return;
    try {
      const watcher = fsWatch(this.root, { recursive: true }, () => this.scheduleReload());
      watcher.on('error', (err) => {
        // e.g. the watched directory was removed: watch again once it is back.
        watcher.close();
        if (this.watcher === watcher) this.watcher = undefined;
        this.watchFailed(err);
        this.scheduleReload();
      });
      this.watcher = watcher;
      if (this.watchError) {
        this.watchError = undefined;
        this.scheduleReload(); // it came (back) while nobody watched
      }
    } catch (err) {
      this.watchFailed(err);
    }
  }

  private watchFailed(err: unknown): void {
    this.watchError = { code: 'watch-failed', message: `cannot watch ${this.root} for changes (${errorMessage(err)}): retrying`, where: { file: this.root } };
    clearTimeout(this.watchRetryTimer);
    this.watchRetryTimer = setTimeout(() => this.startWatching(), this.options.watchRetryMs ?? 5000);
    this.watchRetryTimer.unref?.();
  }

  private scheduleReload(): void {
    if (this.stopped) return;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 200);
  }
}

const PROBLEM_CODES: Record<FileProblem['kind'], SourceErrorCode> = {
  unreadable: 'file-unreadable',
  'not-regular': 'not-regular-file',
  'outside-root': 'not-regular-file',
  'too-large': 'file-too-large',
  'too-many': 'too-many-files',
};

function fileError(p: FileProblem): SourceError {
  // formatSourceError puts the file first: the message is the reason alone.
  return { code: PROBLEM_CODES[p.kind], message: p.reason, where: { file: p.path } };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
