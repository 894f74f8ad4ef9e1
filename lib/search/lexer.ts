/**
 * The search text as tokens: parentheses, the keywords AND / OR / NOT (any case), `-` before a term
 * (NOT), and terms: `field:value`, `field:"quoted value"`, a bare word or a quoted phrase. One pass
 * over the characters, no regex on the text. Columns are 1-based, as a person counts them.
 */

import type { SearchError } from './ast';
import { resolveField, suggestField, type TypedField } from './fields';

export type Token =
  | { kind: 'lparen' | 'rparen' | 'minus'; column: number }
  | { kind: 'and' | 'or' | 'not'; column: number; text: string }
  /** `field` null for a bare word; `valueColumn` is where the value (or its opening quote) starts. */
  | { kind: 'term'; column: number; field: TypedField | null; fieldText: string; value: string; valueColumn: number; quoted: boolean };

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; error: SearchError };

const KEYWORDS: Record<string, 'and' | 'or' | 'not'> = { and: 'and', or: 'or', not: 'not' };

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';
/** Where an unquoted word ends. */
const endsWord = (c: string) => isSpace(c) || c === '(' || c === ')' || c === '"';
/** A field name: letters and dashes (never digits, so `fe80::1` stays a word). */
function looksLikeFieldName(s: string): boolean {
  if (!s) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!letter && !(c === 45 && i > 0)) return false;
  }
  return true;
}

class LexError extends Error {
  constructor(readonly error: SearchError) {
    super(error.message);
  }
}

/** A quoted string starting at `start` (the `"`): its text with `\"` and `\\` unescaped, and where it ends. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      value += text[i + 1];
      i++;
    } else {
      value += c;
    }
  }
  throw new LexError({ message: `unterminated quote at column ${start + 1}: expected a closing "`, column: start + 1, expected: '"' });
}

function readWord(text: string, start: number): number {
  let i = start;
  while (i < text.length && !endsWord(text[i])) i++;
  return i;
}

/** Splits the text into tokens, or says where it cannot. */
export function lex(text: string): LexResult {
  try {
    return { ok: true, tokens: lexTokens(text) };
  } catch (e) {
    if (e instanceof LexError) return { ok: false, error: e.error };
    throw e;
  }
}

function lexTokens(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const column = i + 1;
    if (isSpace(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', column });
      i++;
    } else if (c === '"') {
      const q = readQuoted(text, i);
      tokens.push({ kind: 'term', column, field: null, fieldText: '', value: q.value, valueColumn: column, quoted: true });
      i = q.end;
      noQuoteAfter(text, i);
    } else if (c === '-') {
      // `-term` is NOT term; `- term` is more likely a stray dash than a negation: say so.
      if (i + 1 >= text.length || isSpace(text[i + 1])) {
        throw new LexError({ message: `expected a term right after "-" at column ${column + 1}`, column: column + 1, expected: 'a term' });
      }
      tokens.push({ kind: 'minus', column });
      i++;
    } else {
      i = wordToken(text, i, tokens);
    }
  }
  return tokens;
}

/** A value must be followed by a space, a parenthesis or the end: `"a"b` is a typo, not two terms. */
function noQuoteAfter(text: string, i: number): void {
  if (i < text.length && !isSpace(text[i]) && text[i] !== '(' && text[i] !== ')') {
    throw new LexError({ message: `expected a space after the quoted value at column ${i + 1}`, column: i + 1, expected: 'a space' });
  }
}

function wordToken(text: string, start: number, tokens: Token[]): number {
  const end = readWord(text, start);
  const word = text.slice(start, end);
  const column = start + 1;
  const keyword = KEYWORDS[word.toLowerCase()];
  if (keyword) {
    tokens.push({ kind: keyword, column, text: word });
    return end;
  }
  const colon = word.indexOf(':');
  const name = colon > 0 ? word.slice(0, colon) : '';
  if (!looksLikeFieldName(name)) {
    if (end < text.length && text[end] === '"') {
      throw new LexError({ message: `unexpected quote at column ${end + 1}: a quote starts a value (field:"…") or a phrase ("…")`, column: end + 1, expected: 'a space' });
    }
    tokens.push({ kind: 'term', column, field: null, fieldText: '', value: word, valueColumn: column, quoted: false });
    return end;
  }
  const field = resolveField(name);
  if (!field) {
    const suggestion = suggestField(name);
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '; put the word in quotes to search for it as text';
    throw new LexError({ message: `unknown field "${name}" at column ${column}${hint}`, column, expected: 'a field name' });
  }
  const valueStart = start + colon + 1;
  if (valueStart === end && end < text.length && text[end] === '"') {
    const q = readQuoted(text, end);
    tokens.push({ kind: 'term', column, field, fieldText: name, value: q.value, valueColumn: valueStart + 1, quoted: true });
    noQuoteAfter(text, q.end);
    return q.end;
  }
  if (valueStart === end) {
    throw new LexError({ message: `expected a value after "${name}:" at column ${valueStart + 1}`, column: valueStart + 1, expected: 'a value' });
  }
  if (end < text.length && text[end] === '"') {
    throw new LexError({ message: `unexpected quote at column ${end + 1}: quote the whole value (${name}:"…")`, column: end + 1, expected: 'a space' });
  }
  tokens.push({ kind: 'term', column, field, fieldText: name, value: word.slice(colon + 1), valueColumn: valueStart + 1, quoted: false });
  return end;
}
