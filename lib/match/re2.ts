/**
 * Regular expressions from users (Hubble's `dns_query` / `http_path` filters, Cilium L7 HTTP rules)
 * run on RE2 semantics through re2js: no backtracking, so matching is linear in the text. It is
 * also what the real systems use (Go's regexp in Hubble, RE2 in Envoy), so the same pattern means
 * the same thing here.
 */

import { RE2JS } from 're2js';

/** Longest regular expression accepted from a user. */
export const MAX_REGEX_PATTERN = 1024;

export class RegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexError';
  }
}

export interface SafeRegex {
  readonly source: string;
  /** Whether the pattern matches somewhere in the text (Go's `MatchString`). */
  find(text: string): boolean;
  /** Whether the pattern matches the whole text (Envoy's `full_match` / RE2::FullMatch). */
  fullMatch(text: string): boolean;
}

/** Compiles a user-supplied pattern; throws RegexError with a readable reason. */
export function compileSafeRegex(pattern: string): SafeRegex {
  if (pattern.length > MAX_REGEX_PATTERN) throw new RegexError(`longer than ${MAX_REGEX_PATTERN} characters`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new RegexError((e as Error).message);
  }
  return {
    source: pattern,
    find: (text) => re.matcher(text).find(),
    fullMatch: (text) => re.matches(text),
  };
}
