/** Errors of the cluster sources are values: what went wrong, where, and the rest keeps loading. */

export type SourceErrorCode =
  | 'yaml-syntax' // a manifest document does not parse (including an alias to an undefined anchor)
  | 'yaml-alias-limit' // a document expands too many aliases (an alias bomb): refused
  | 'unknown-kind' // a kind its API group does not define (a typo that would drop a policy), or no kind at all
  | 'skipped-kind' // a notice, not a problem: a document of a kind Flowsight does not need (ConfigMap, Deployment, ...)
  | 'invalid-object' // a known kind without the fields it needs (e.g. no metadata.name)
  | 'file-unreadable' // a path that cannot be read (or a root that is neither a file nor a directory)
  | 'file-too-large' // a file over the size cap, or past the cap on bytes read in all: skipped
  | 'too-many-files' // more files (or directory entries) than the caps: the rest are skipped
  | 'not-regular-file' // a FIFO, socket, device or symbolic link out of the tree named like a manifest: skipped
  | 'parse-failed' // the parser gave up on a file (out of memory, too slow): skipped
  | 'crd-absent' // the API server has no such resource (404): e.g. Cilium not installed
  | 'forbidden' // RBAC denies list/watch
  | 'api-unreachable' // the API server cannot be reached or fails
  | 'watch-failed'; // a watch broke and is being restarted

export interface SourceErrorLocation {
  file?: string;
  /** 0-based index of the YAML document in its file (or of the item in a `kind: List`). */
  documentIndex?: number;
  /** 1-based line where the document (or the error) starts. */
  line?: number;
  column?: number;
  /** API resource, e.g. `cilium.io/v2/ciliumnetworkpolicies`. */
  resource?: string;
}

export interface SourceError {
  code: SourceErrorCode;
  message: string;
  where: SourceErrorLocation;
}

/** Notices that a source reports beside its errors: they never make an input bad. */
export function isInputProblem(e: SourceError): boolean {
  return e.code !== 'skipped-kind';
}

/** "3 ConfigMap, 2 Deployment": what was skipped, by kind, most first. */
export function summarizeSkippedKinds(errors: readonly SourceError[]): { total: number; text: string } {
  const counts = new Map<string, number>();
  for (const e of errors) if (e.code === 'skipped-kind') counts.set(e.message, (counts.get(e.message) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { total: sorted.reduce((n, [, c]) => n + c, 0), text: sorted.map(([kind, c]) => `${c} ${kind}`).join(', ') };
}

/** One line a person can read: `policies/a.yaml doc 2 line 14: unknown kind Deployment`. */
export function formatSourceError(e: SourceError): string {
  const w = e.where;
  const parts: string[] = [];
  if (w.file) parts.push(w.file);
  if (w.documentIndex !== undefined) parts.push(`doc ${w.documentIndex}`);
  if (w.line !== undefined) parts.push(`line ${w.line}${w.column !== undefined ? `:${w.column}` : ''}`);
  if (w.resource) parts.push(w.resource);
  return `${parts.join(' ')}${parts.length ? ': ' : ''}${e.message} [${e.code}]`;
}
