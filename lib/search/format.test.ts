import { describe, expect, it } from 'vitest';
import type { SearchNode } from './ast';
import { formatSearch } from './format';
import { parseSearch } from './parse';

/** The tree without columns. */
function strip(n: SearchNode | null): unknown {
  if (!n) return null;
  if (n.kind === 'term') return [n.field, n.value];
  if (n.kind === 'not') return ['not', strip(n.child)];
  return [n.kind, ...n.children.map(strip)];
}

function ast(text: string): SearchNode | null {
  const p = parseSearch(text);
  if (!p.ok) throw new Error(`${text}: ${p.error.message}`);
  return p.ast;
}

describe('formatSearch', () => {
  it.each([
    ['namespace:shop verdict:dropped|error', 'ns:shop AND (verdict:dropped OR verdict:error)'],
    ['a OR b c', 'a OR b AND c'],
    ['(a OR b) c', '(a OR b) AND c'],
    ['-(a OR b)', 'NOT (a OR b)'],
    ['NOT NOT a', 'NOT NOT a'],
    ['not (a b)', 'NOT (a AND b)'],
    ['pod:"a b" "x)y"', 'pod:"a b" AND "x)y"'],
    ['"and" "ns:x" "-y" "a\\"b"', '"and" AND "ns:x" AND "-y" AND "a\\"b"'],
    ['', ''],
  ])('%s -> %s', (text, canonical) => {
    expect(formatSearch(ast(text))).toBe(canonical);
  });

  it.each([
    'ns:shop OR (pod:web- AND NOT to-port:8080) verdict:dropped',
    '(a OR b) (c OR NOT (d e))',
    'label:"k8s:app=a b" http-path:"/x\\\\y" fqdn:*.example.com',
    '"abcd::1" OR "OR" OR "NOT" fe80::1',
    'http-path:"/a(b)" node:c/n-? policy:CiliumClusterwideNetworkPolicy//x',
  ])('parses back to the same tree: %s', (text) => {
    const tree = ast(text);
    expect(strip(ast(formatSearch(tree)))).toEqual(strip(tree));
  });
});
