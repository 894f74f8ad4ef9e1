/**
 * The parsed form of a flow search (`from-ns:shop verdict:dropped NOT port:53`): one tree that the
 * live stream evaluates as a predicate and the history store compiles to parameterized SQL, so a
 * query means the same on both. Field names follow `hubble observe`'s flags.
 */

/** Every field a term may name; `text` is a bare word (a search over names). */
export const SEARCH_FIELDS = [
  'ns', 'from-ns', 'to-ns',
  'pod', 'from-pod', 'to-pod',
  'label', 'from-label', 'to-label',
  'workload', 'from-workload', 'to-workload',
  'verdict', 'reason',
  'port', 'from-port', 'to-port',
  'proto',
  'fqdn', 'from-fqdn', 'to-fqdn',
  'ip', 'from-ip', 'to-ip',
  'dns',
  'http-status', 'http-method', 'http-path',
  'policy', 'node',
  'identity', 'from-identity', 'to-identity',
  'reply', 'uuid',
  'text',
] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

export type SearchNode =
  | { kind: 'and'; children: SearchNode[] }
  | { kind: 'or'; children: SearchNode[] }
  | { kind: 'not'; child: SearchNode }
  /** `column` is where the term starts in the query text (1-based), for messages about it. */
  | { kind: 'term'; field: SearchField; value: string; column: number };

/** A query that failed to parse: what was expected, at which 1-based column of the text. */
export interface SearchError {
  message: string;
  column: number;
  expected?: string;
}

/** An empty query matches every flow. */
export type ParsedSearch = { ok: true; ast: SearchNode | null; text: string } | { ok: false; error: SearchError };
