/**
 * Wildcard patterns that match in time linear in the text, whatever the pattern: user-supplied
 * globs and FQDN patterns must never reach a backtracking regex (`a*a*a*...b` costs exponential time
 * there). A pattern is a list of tokens matched by simulating every position at once (a Thompson
 * NFA over a pattern without alternation), so matching costs at most text length × pattern length.
 */

/** Which characters a wildcard may stand for (UTF-16 code unit). */
export type CharClass = (code: number) => boolean;

export type WildcardToken =
  | { readonly kind: 'literal'; readonly code: number }
  /** Exactly one character of the class. */
  | { readonly kind: 'one'; readonly of: CharClass }
  /** Zero or more characters of the class. */
  | { readonly kind: 'run'; readonly of: CharClass };

/** Longest pattern accepted from a user: DNS names are at most 253 characters. */
export const MAX_WILDCARD_PATTERN = 512;

export class WildcardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WildcardError';
  }
}

export const ANY_CHAR: CharClass = () => true;

/** Every character but one (e.g. `*` that never crosses a `.` or a `/`). */
export function anyCharBut(excluded: string): CharClass {
  const code = excluded.charCodeAt(0);
  return (c) => c !== code;
}

/** A class from a set of characters and inclusive ranges, e.g. charClass('-_', ['a', 'z'], ['0', '9']). */
export function charClass(chars: string, ...ranges: [string, string][]): CharClass {
  const set = new Set<number>();
  for (let i = 0; i < chars.length; i++) set.add(chars.charCodeAt(i));
  const bounds = ranges.map(([lo, hi]) => [lo.charCodeAt(0), hi.charCodeAt(0)] as const);
  return (c) => set.has(c) || bounds.some(([lo, hi]) => c >= lo && c <= hi);
}

/** Characters of a lower-cased DNS label (underscore too: `_sip._tcp` service names). */
export const DNS_LABEL_CHARS = charClass('-_', ['a', 'z'], ['0', '9']);
/** Characters of a lower-cased DNS name: label characters and dots. */
export const DNS_NAME_CHARS = charClass('-_.', ['a', 'z'], ['0', '9']);

export const literal = (text: string): WildcardToken[] => Array.from({ length: text.length }, (_, i) => ({ kind: 'literal', code: text.charCodeAt(i) }));
export const one = (of: CharClass): WildcardToken => ({ kind: 'one', of });
export const run = (of: CharClass): WildcardToken => ({ kind: 'run', of });

/** A compiled pattern; `matches` is a full match of the whole text. */
export class Wildcard {
  private readonly tokens: readonly WildcardToken[];
  private readonly exact: string | null;

  constructor(tokens: readonly WildcardToken[], readonly source = '') {
    this.tokens = tokens;
    this.exact = tokens.every((t) => t.kind === 'literal') ? String.fromCharCode(...tokens.map((t) => (t as { code: number }).code)) : null;
  }

  matches(text: string): boolean {
    if (this.exact !== null) return text === this.exact;
    const tokens = this.tokens;
    const m = tokens.length;
    let current = new Uint8Array(m + 1);
    let next = new Uint8Array(m + 1);
    current[0] = 1;
    closeOverEmptyRuns(tokens, current);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      next.fill(0);
      let alive = false;
      for (let s = 0; s < m; s++) {
        if (!current[s]) continue;
        const t = tokens[s];
        const advances = t.kind === 'literal' ? t.code === c : t.of(c);
        if (!advances) continue;
        // A literal or a single character moves on; a run may take another character and stay.
        next[t.kind === 'run' ? s : s + 1] = 1;
        alive = true;
      }
      if (!alive) return false;
      closeOverEmptyRuns(tokens, next);
      [current, next] = [next, current];
    }
    return current[m] === 1;
  }
}

/** A run may match nothing: a state before a run also stands after it. */
function closeOverEmptyRuns(tokens: readonly WildcardToken[], states: Uint8Array): void {
  for (let s = 0; s < tokens.length; s++) if (states[s] && tokens[s].kind === 'run') states[s + 1] = 1;
}

export interface GlobOptions {
  /** What `*` stands for (a run of these characters). */
  star: CharClass;
  /** What `?` stands for (one of these characters); without it `?` is a literal. */
  question?: CharClass;
}

/** Compiles a glob (`*`, and `?` when asked) after checking its length. */
export function compileGlob(pattern: string, options: GlobOptions): Wildcard {
  if (pattern.length > MAX_WILDCARD_PATTERN) throw new WildcardError(`pattern is longer than ${MAX_WILDCARD_PATTERN} characters`);
  const tokens: WildcardToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      // `**` means the same as `*` here: collapse so the pattern stays small.
      if (tokens.at(-1)?.kind !== 'run') tokens.push(run(options.star));
    } else if (ch === '?' && options.question) {
      tokens.push(one(options.question));
    } else {
      tokens.push(...literal(ch));
    }
  }
  return new Wildcard(tokens, pattern);
}
