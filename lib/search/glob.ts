/**
 * A glob typed in a search, in one form that both engines read: the live stream compiles it to a
 * linear-time Wildcard (lib/match/wildcard.ts), the store to a LIKE pattern or an anchored RE2
 * regex (ClickHouse's `match`, linear too) built here with every user character escaped, and bound
 * as a parameter. Keeping the character classes explicit is what makes `*` mean the same on both.
 */

import { anyCharBut, ANY_CHAR, DNS_NAME_CHARS, literal, one, run, Wildcard, type CharClass, type WildcardToken } from '../match/wildcard';

/** What a wildcard may stand for: anything, anything but `/` (node and policy parts), DNS name characters. */
export type GlobClass = 'any' | 'notSlash' | 'dnsName';

export type GlobPart = { kind: 'literal'; text: string } | { kind: 'one' | 'run'; of: GlobClass };

export interface Glob {
  parts: GlobPart[];
}

export interface GlobSyntax {
  /** What `*` stands for. */
  star: GlobClass;
  /** What `?` stands for; without it `?` is a literal. */
  question?: GlobClass;
}

/** Splits a pattern into literals and wildcards (`**` is `*`). */
export function parseGlob(pattern: string, syntax: GlobSyntax): Glob {
  const parts: GlobPart[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push({ kind: 'literal', text });
    text = '';
  };
  for (const ch of pattern) {
    if (ch === '*') {
      flush();
      if (parts.at(-1)?.kind !== 'run') parts.push({ kind: 'run', of: syntax.star });
    } else if (ch === '?' && syntax.question) {
      flush();
      parts.push({ kind: 'one', of: syntax.question });
    } else {
      text += ch;
    }
  }
  flush();
  return { parts };
}

export const literalGlob = (text: string): Glob => ({ parts: text ? [{ kind: 'literal', text }] : [] });
export const anyRun = (of: GlobClass): Glob => ({ parts: [{ kind: 'run', of }] });

/** Globs one after the other (adjacent runs of one class merge). */
export function concatGlobs(...globs: Glob[]): Glob {
  const parts: GlobPart[] = [];
  for (const g of globs) {
    for (const p of g.parts) {
      const last = parts.at(-1);
      if (p.kind === 'run' && last?.kind === 'run' && last.of === p.of) continue;
      if (p.kind === 'literal' && last?.kind === 'literal') parts[parts.length - 1] = { kind: 'literal', text: last.text + p.text };
      else parts.push(p);
    }
  }
  return { parts };
}

/** The text a glob without wildcards matches exactly, or null. */
export function exactText(g: Glob): string | null {
  if (g.parts.some((p) => p.kind !== 'literal')) return null;
  return g.parts.map((p) => (p as { text: string }).text).join('');
}

/** Whether the glob can match the empty string (only runs): then the store must also ask for a value. */
export function matchesEmpty(g: Glob): boolean {
  return g.parts.every((p) => p.kind === 'run');
}

const SLASH_FREE = anyCharBut('/');
const CLASS: Record<GlobClass, CharClass> = { any: ANY_CHAR, notSlash: SLASH_FREE, dnsName: DNS_NAME_CHARS };

/** The live stream's matcher: a full match in time linear in the text. */
export function toWildcard(g: Glob): Wildcard {
  const tokens: WildcardToken[] = [];
  for (const p of g.parts) {
    if (p.kind === 'literal') tokens.push(...literal(p.text));
    else tokens.push(p.kind === 'one' ? one(CLASS[p.of]) : run(CLASS[p.of]));
  }
  return new Wildcard(tokens);
}

/**
 * A ClickHouse LIKE pattern, when every wildcard stands for any character: `%` and `_` of the
 * user's text become literal (`\%`, `\_`, and `\\` for a backslash). Null when a class is narrower.
 */
export function toLikePattern(g: Glob): string | null {
  let out = '';
  for (const p of g.parts) {
    if (p.kind === 'literal') out += p.text.replace(/[\\%_]/g, (c) => `\\${c}`);
    else if (p.of !== 'any') return null;
    else out += p.kind === 'run' ? '%' : '_';
  }
  return out;
}

const RE2_CLASS: Record<GlobClass, string> = { any: '(?s:.)', notSlash: '[^/]', dnsName: '[-_.a-z0-9]' };

/** One character as an RE2 literal: punctuation escaped, controls by code point, the rest as is. */
function re2Literal(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (/[A-Za-z0-9]/.test(ch)) return ch;
  if (code < 0x20 || code === 0x7f) return `\\x{${code.toString(16)}}`;
  if (code < 0x80) return `\\${ch}`;
  return ch;
}

/** An anchored RE2 regex for ClickHouse's `match` (the whole value must match, as on the live side). */
export function toRe2(g: Glob): string {
  let out = '^';
  for (const p of g.parts) {
    if (p.kind === 'literal') for (const ch of p.text) out += re2Literal(ch);
    else out += RE2_CLASS[p.of] + (p.kind === 'run' ? '*' : '');
  }
  return `${out}$`;
}
