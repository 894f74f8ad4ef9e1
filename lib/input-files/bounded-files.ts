/**
 * Lists and reads the input files of a source (manifests, az exports) within caps: only regular
 * files are read, never a FIFO, socket or device (opened non-blocking, checked after open), no
 * symbolic link out of the tree, and a cap on file size, file count, total bytes and entries walked.
 * What is skipped becomes a problem naming the path and the cap; the other files still load.
 */

import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';

export interface FileLimits {
  /** Largest file read; a bigger one is skipped with a problem. */
  maxFileBytes: number;
  /** Most files read from one tree; the rest are skipped with one problem. */
  maxFiles: number;
  /** Most bytes read from one tree in all. */
  maxTotalBytes: number;
  /** Most directory entries looked at while walking (bounds a walk of the wrong, huge directory). */
  maxEntries: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxFiles: 5_000,
  maxTotalBytes: 128 * 1024 * 1024,
  maxEntries: 100_000,
};

/** Directories nested deeper than this are not walked (a loop of bind mounts, a wrong root). */
const MAX_DEPTH = 64;

export type FileProblemKind = 'unreadable' | 'not-regular' | 'outside-root' | 'too-large' | 'too-many';

export interface FileProblem {
  kind: FileProblemKind;
  /** The path as listed (under the root as given). */
  path: string;
  /** What is wrong, to follow the path's name: `is a FIFO, not a regular file: skipped`. */
  reason: string;
  /** For `unreadable`: the system's words, e.g. `ENOENT: no such file or directory`. */
  cause?: string;
}

/** One sentence: the path (or `name`) and the reason. */
export function describeProblem(p: FileProblem, name: string = p.path): string {
  return `${name} ${p.reason}`;
}

export interface ListedFile {
  /** The path as listed (under the root as given): what errors name. */
  path: string;
  /** The path to open: the target of a symbolic link, else `path`. */
  openPath: string;
  size: number;
  /** Changes whenever the content may have changed (device, inode, size, mtime, ctime). */
  stamp: string;
}

export interface FileListing {
  files: ListedFile[];
  problems: FileProblem[];
  /** Set when the root itself cannot be used (missing, unreadable, not a file or directory). */
  rootProblem?: FileProblem;
}

export interface ListOptions {
  /** Lower-case extensions with the dot, e.g. `['.yaml', '.yml', '.json']`. */
  extensions: readonly string[];
  limits?: Partial<FileLimits>;
  /** Whether the root may be a single file (manifests) or must be a directory (az exports). */
  allowFileRoot: boolean;
  /** Skip names starting with a dot (`.git`, editor swap files). */
  skipHidden?: boolean;
}

/** Walks `root` in a stable (sorted) order and returns the regular files to read, within the caps. */
export async function listBoundedFiles(root: string, options: ListOptions): Promise<FileListing> {
  const limits = { ...DEFAULT_FILE_LIMITS, ...options.limits };
  const files: ListedFile[] = [];
  const problems: FileProblem[] = [];
  let rootStat: Stats;
  try {
    rootStat = await fs.stat(root);
  } catch (err) {
    return { files, problems, rootProblem: unreadable(root, err) };
  }
  if (rootStat.isFile() && options.allowFileRoot) {
    const problem = sizeProblem(root, rootStat.size, limits);
    if (problem) problems.push(problem);
    // The root may be a symbolic link (the operator chose it): open its target.
    else files.push({ path: root, openPath: await fs.realpath(root).catch(() => root), size: rootStat.size, stamp: stampOf(rootStat) });
    return { files, problems };
  }
  if (!rootStat.isDirectory()) {
    const expected = options.allowFileRoot ? 'a regular file or directory' : 'a directory';
    return { files, problems, rootProblem: { kind: 'not-regular', path: root, reason: `is ${describeType(rootStat)}, not ${expected}` } };
  }

  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
  } catch (err) {
    return { files, problems, rootProblem: unreadable(root, err) };
  }
  const extensions = new Set(options.extensions);
  let entries = 0;
  let totalBytes = 0;
  let overCount = 0;
  let entriesCapped = false;

  const consider = async (full: string): Promise<void> => {
    let stat: Stats;
    let openPath = full;
    try {
      stat = await fs.lstat(full);
      if (stat.isSymbolicLink()) {
        openPath = await fs.realpath(full);
        if (!isInside(realRoot, openPath)) {
          problems.push({ kind: 'outside-root', path: full, reason: 'is a symbolic link out of the tree: skipped' });
          return;
        }
        stat = await fs.stat(openPath);
      }
    } catch (err) {
      problems.push(unreadable(full, err));
      return;
    }
    if (!stat.isFile()) {
      problems.push({ kind: 'not-regular', path: full, reason: `is ${describeType(stat)}, not a regular file: skipped` });
      return;
    }
    const tooBig = sizeProblem(full, stat.size, limits);
    if (tooBig) {
      problems.push(tooBig);
      return;
    }
    if (files.length >= limits.maxFiles) {
      overCount++;
      return;
    }
    if (totalBytes + stat.size > limits.maxTotalBytes) {
      problems.push({ kind: 'too-large', path: full, reason: `is skipped: with it the files read would pass the cap of ${formatBytes(limits.maxTotalBytes)} in all` });
      return;
    }
    totalBytes += stat.size;
    files.push({ path: full, openPath, size: stat.size, stamp: stampOf(stat) });
  };

  const walk = async (dir: string, depth: number): Promise<void> => {
    let dirents;
    try {
      dirents = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push(unreadable(dir, err));
      return;
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of dirents) {
      if (entries >= limits.maxEntries) {
        entriesCapped = true;
        return;
      }
      entries++;
      if (options.skipHidden !== false && e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      // Symbolic links to directories are not followed (no cycles, no escape from the tree).
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
        else problems.push({ kind: 'too-many', path: full, reason: `is nested more than ${MAX_DEPTH} directories deep: not read` });
        continue;
      }
      if (!extensions.has(path.extname(e.name).toLowerCase())) continue;
      await consider(full);
    }
  };
  await walk(root, 0);

  if (overCount > 0) {
    problems.push({ kind: 'too-many', path: root, reason: `holds more files than the cap: ${overCount} skipped (at most ${limits.maxFiles} files are read)` });
  }
  if (entriesCapped) {
    problems.push({ kind: 'too-many', path: root, reason: `has more than ${limits.maxEntries} directory entries: stopped walking there (point it at the input files only)` });
  }
  return { files, problems };
}

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; problem: FileProblem };

/**
 * Reads one listed file, at most `maxFileBytes`. Opened non-blocking so that a path swapped for a
 * FIFO since it was listed cannot hang the read; the type and size are checked again after opening.
 */
export async function readBoundedFile(file: Pick<ListedFile, 'path' | 'openPath'>, maxFileBytes = DEFAULT_FILE_LIMITS.maxFileBytes): Promise<ReadResult> {
  const flags = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOCTTY ?? 0) | (fsConstants.O_NOFOLLOW ?? 0);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file.openPath, flags);
    const stat = await handle.stat();
    if (!stat.isFile()) {
      return { ok: false, problem: { kind: 'not-regular', path: file.path, reason: `is ${describeType(stat)}, not a regular file: skipped` } };
    }
    const tooBig = sizeProblem(file.path, stat.size, { maxFileBytes });
    if (tooBig) return { ok: false, problem: tooBig };
    // One byte more than the cap tells a file that grew since the stat.
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, maxFileBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        return { ok: false, problem: grew(file.path, maxFileBytes) };
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxFileBytes) {
      return { ok: false, problem: grew(file.path, maxFileBytes) };
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, problem: { kind: 'unreadable', path: file.path, reason: 'became a symbolic link since it was listed: skipped' } };
    return { ok: false, problem: unreadable(file.path, err) };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** `12.0 MB`, `512 KB`, `300 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} bytes`;
}

function sizeProblem(file: string, size: number, limits: Pick<FileLimits, 'maxFileBytes'>): FileProblem | undefined {
  if (size <= limits.maxFileBytes) return undefined;
  return { kind: 'too-large', path: file, reason: `is ${formatBytes(size)}, over the limit of ${formatBytes(limits.maxFileBytes)} per file: skipped (split it)` };
}

function unreadable(file: string, err: unknown): FileProblem {
  const cause = errorText(err);
  return { kind: 'unreadable', path: file, reason: `cannot be read (${cause})`, cause };
}

function grew(file: string, maxFileBytes: number): FileProblem {
  return { kind: 'too-large', path: file, reason: `grew past ${formatBytes(maxFileBytes)} while being read: skipped` };
}

function stampOf(s: Stats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function describeType(s: Stats): string {
  if (s.isFile()) return 'a regular file';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isDirectory()) return 'a directory';
  if (s.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/** `ENOENT: no such file or directory` (Node's message without the syscall and path it repeats). */
function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (err as NodeJS.ErrnoException)?.code ? message.split(', ')[0] : message;
}
