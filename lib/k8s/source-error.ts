/** Errors of the cluster sources are values: what went wrong, where, and the rest keeps loading. */

export type SourceErrorCode =
  | 'yaml-syntax' // a manifest document does not parse (including an alias to an undefined anchor)
  | 'yaml-alias-limit' // a document expands too many aliases (an alias bomb): refused
  | 'unknown-kind' // a document of a kind Flowsight does not read
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
