/**
 * The search text -> SearchNode, by recursive descent over lex.ts's tokens:
 *
 *   query   := or
 *   or      := and ( OR and )*
 *   and     := unary ( [AND] unary )*        juxtaposition means AND
 *   unary   := NOT unary | "-" unary | primary
 *   primary := "(" or ")" | term
 *
 * so NOT binds tighter than AND, and AND than OR (`a OR b c` is `a OR (b AND c)`), as in most search
 * boxes and in hubble's own filter semantics (a flow matches a filter when all its fields match).
 * Every value is checked for its field here, so a mistake is reported with its column before a
 * query reaches the stream or the store. Sizes are capped: the text, the terms, the nesting.
 */

import type { ParsedSearch, SearchError, SearchField, SearchNode } from './ast';
import { lex, type Token } from './lexer';
import { ALTERNATIVE_FIELDS, parseTermValue } from './term-value';

export const MAX_QUERY_LENGTH = 2000;
export const MAX_TERMS = 100;
/** Parentheses and NOTs nested deeper than this are refused (the compilers recurse on the tree). */
export const MAX_DEPTH = 32;

class ParseError extends Error {
  constructor(readonly error: SearchError) {
    super(error.message);
  }
}

const fail = (message: string, column: number, expected?: string): never => {
  throw new ParseError(expected ? { message, column, expected } : { message, column });
};

function describe(t: Token): string {
  switch (t.kind) {
    case 'lparen':
      return '"("';
    case 'rparen':
      return '")"';
    case 'minus':
      return '"-"';
    case 'term':
      return 'a term';
    default:
      return `"${t.text}"`;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly textLength: number,
  ) {}

  parse(): SearchNode | null {
    if (this.tokens.length === 0) return null;
    const node = this.or();
    const extra = this.peek();
    if (extra) {
      if (extra.kind === 'rparen') fail(`unbalanced ")" at column ${extra.column}: no "(" before it`, extra.column, 'a term or the end');
      fail(`unexpected ${describe(extra)} at column ${extra.column}`, extra.column, 'a term or the end');
    }
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private endColumn(): number {
    return this.textLength + 1;
  }

  private or(): SearchNode {
    const children = [this.and()];
    while (this.peek()?.kind === 'or') {
      this.expectOperand(this.tokens[this.pos++]);
      children.push(this.and());
    }
    return combine('or', children);
  }

  private and(): SearchNode {
    const children = [this.unary()];
    for (;;) {
      const t = this.peek();
      if (!t || t.kind === 'or' || t.kind === 'rparen') break;
      if (t.kind === 'and') this.expectOperand(this.tokens[this.pos++]);
      children.push(this.unary());
    }
    return combine('and', children);
  }

  /** After an operator (AND, OR, NOT, -) a term must follow: say so where it is missing. */
  private expectOperand(op: Token): void {
    const label = op.kind === 'minus' ? '"-"' : `"${(op as { text: string }).text}"`;
    const next = this.peek();
    if (!next) fail(`expected a term after ${label} at column ${this.endColumn()}`, this.endColumn(), 'a term');
    else if (next.kind === 'rparen' || next.kind === 'or' || next.kind === 'and') {
      fail(`expected a term after ${label} at column ${next.column}, found ${describe(next)}`, next.column, 'a term');
    }
  }

  private unary(): SearchNode {
    const t = this.peek();
    if (!t) return fail(`expected a term at column ${this.endColumn()}`, this.endColumn(), 'a term');
    if (t.kind === 'not' || t.kind === 'minus') {
      this.expectOperand(this.tokens[this.pos++]);
      return this.nested(t.column, () => ({ kind: 'not', child: this.unary() }));
    }
    return this.primary();
  }

  private nested(column: number, inner: () => SearchNode): SearchNode {
    if (++this.depth > MAX_DEPTH) fail(`the query nests deeper than ${MAX_DEPTH} levels at column ${column}`, column);
    const node = inner();
    this.depth--;
    return node;
  }

  private primary(): SearchNode {
    const t = this.tokens[this.pos];
    if (t.kind === 'lparen') {
      this.pos++;
      const next = this.peek();
      if (!next) fail(`unbalanced "(" at column ${t.column}: expected a term and ")"`, t.column, '")"');
      else if (next.kind === 'rparen') fail(`expected a term inside "()" at column ${next.column}`, next.column, 'a term');
      const inner = this.nested(t.column, () => this.or());
      if (this.peek()?.kind !== 'rparen') fail(`unbalanced "(" at column ${t.column}: expected ")"`, t.column, '")"');
      this.pos++;
      return inner;
    }
    if (t.kind === 'rparen') return fail(`unbalanced ")" at column ${t.column}: no "(" before it`, t.column, 'a term');
    if (t.kind === 'term') {
      this.pos++;
      return this.term(t);
    }
    return fail(`expected a term at column ${t.column}, found ${describe(t)}`, t.column, 'a term');
  }

  private term(t: Extract<Token, { kind: 'term' }>): SearchNode {
    const field: SearchField = t.field ?? 'text';
    // Closed vocabularies take alternatives (`verdict:dropped|error`), the same as OR-ed terms.
    const values = ALTERNATIVE_FIELDS.has(field) ? t.value.split('|') : [t.value];
    const nodes: SearchNode[] = [];
    let offset = 0;
    for (const value of values) {
      const column = t.valueColumn + offset;
      offset += value.length + 1;
      if (++this.terms > MAX_TERMS) fail(`the query has more than ${MAX_TERMS} terms (at column ${t.column})`, t.column);
      const checked = parseTermValue(field, value);
      if (!checked.ok && !t.field && value === '') fail(`expected text inside the quotes at column ${column}`, column, 'text');
      if (!checked.ok) {
        const message =
          value === '' ? `expected a value after "${t.fieldText}:" at column ${column}`
          : t.field ? `${t.fieldText}: ${checked.message} (column ${column})`
          : `${checked.message} (column ${column})`;
        fail(message, column, checked.expected);
      }
      nodes.push({ kind: 'term', field, value, column: t.column });
    }
    return combine('or', nodes);
  }
}

/** and/or with one child is the child; nested and-in-and (or-in-or) flattens. */
function combine(kind: 'and' | 'or', children: SearchNode[]): SearchNode {
  if (children.length === 1) return children[0];
  return { kind, children: children.flatMap((c) => (c.kind === kind ? c.children : [c])) };
}

/** Parses a search; an empty or blank text is the query that matches everything (ast null). */
export function parseSearch(text: string): ParsedSearch {
  if (text.length > MAX_QUERY_LENGTH) {
    return { ok: false, error: { message: `the query is longer than ${MAX_QUERY_LENGTH} characters`, column: MAX_QUERY_LENGTH + 1, expected: 'a shorter query' } };
  }
  const lexed = lex(text);
  if (!lexed.ok) return { ok: false, error: lexed.error };
  try {
    return { ok: true, ast: new Parser(lexed.tokens, text.length).parse(), text };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.error };
    throw e;
  }
}
