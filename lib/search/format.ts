/**
 * A search tree back as text, in canonical form (fields by their canonical names, keywords upper
 * case, parentheses only where precedence needs them, values quoted only when they must be): for
 * explanations ("no flows match ns:shop AND verdict:dropped"), for combining a map selection with a
 * typed query in a URL, and for tests that parse what was printed. parseSearch(formatSearch(t))
 * gives t back (columns aside).
 */

import type { SearchNode } from './ast';
import { quoteValue } from './complete';

/** Bare words that the lexer would read as something else than text. */
function textValue(value: string): string {
  const keyword = ['and', 'or', 'not'].includes(value.toLowerCase());
  const looksLikeField = /^[A-Za-z][A-Za-z-]*:/.test(value);
  if (keyword || looksLikeField || value.startsWith('-')) return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return quoteValue(value);
}

const PRECEDENCE = { or: 1, and: 2, not: 3, term: 4 } as const;

function print(node: SearchNode, parent: number): string {
  const own = PRECEDENCE[node.kind];
  let text: string;
  switch (node.kind) {
    case 'term':
      return node.field === 'text' ? textValue(node.value) : `${node.field}:${quoteValue(node.value)}`;
    case 'not':
      text = `NOT ${print(node.child, own)}`;
      break;
    case 'and':
      text = node.children.map((c) => print(c, own)).join(' AND ');
      break;
    case 'or':
      text = node.children.map((c) => print(c, own)).join(' OR ');
      break;
  }
  // An operand that binds looser than its parent (or equally, so `a AND (b AND c)` keeps its shape) needs parentheses.
  return own <= parent && node.kind !== 'not' ? `(${text})` : text;
}

/** Canonical text of a search; the empty search is the empty string. */
export function formatSearch(ast: SearchNode | null): string {
  return ast ? print(ast, 0) : '';
}
