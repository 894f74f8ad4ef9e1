/** Types of yaml-documents.mjs (plain JavaScript so that the parse worker can load it unbundled). */

export declare const MAX_ALIAS_COUNT: number;

/** What one manifest document becomes; `span` is the source length it covers (to size messages). */
export type YamlEntry =
  /** A whole document (not a List). */
  | { t: 'doc'; documentIndex: number; line: number; value: unknown; span: number }
  /** A run of the items of a `kind: List` (or `*List`) document, from item index `first`. */
  | { t: 'items'; documentIndex: number; line: number; kind: string; first: number; items: unknown[]; lines: number[]; span: number }
  /** A document that does not load: bad syntax, undefined alias, alias bomb. */
  | { t: 'error'; documentIndex: number; code: 'yaml-syntax' | 'yaml-alias-limit'; message: string; line: number; column?: number; span: number };

/** Yields the entries of every document of `text`, in order; never throws. */
export declare function yamlEntries(text: string, options?: { keepKinds?: readonly string[] }): Generator<YamlEntry>;
