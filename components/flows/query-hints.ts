/**
 * Why a search can come back empty although the flows people mean are there: combinations of terms
 * that no flow can satisfy (a dropped packet has no DNS layer, ICMP has no ports, only dropped flows
 * have a drop reason). The same advice the old filter form gave (lib/flows/filter-explanation.ts),
 * read off the query's tree, with a corrected query to try in one click.
 */

import type { SearchNode } from '@/lib/search/ast';

export interface QueryHint {
  code: 'dns-dropped' | 'icmp-port' | 'drop-reason-verdict';
  message: string;
  suggestion?: { label: string; q: string };
}

type Term = Extract<SearchNode, { kind: 'term' }>;

/** The terms every match must satisfy: the query itself or the direct terms of its top-level AND. */
function requiredTerms(ast: SearchNode | null): Term[] {
  if (!ast) return [];
  if (ast.kind === 'term') return [ast];
  if (ast.kind === 'and') return ast.children.filter((c): c is Term => c.kind === 'term');
  return [];
}

/** Where the word of a term ends (a space or `)` outside quotes). */
function termEnd(q: string, start: number): number {
  let i = start;
  while (i < q.length && !/\s|\)/.test(q[i])) {
    if (q[i] === '"') {
      i++;
      while (i < q.length && q[i] !== '"') i += q[i] === '\\' ? 2 : 1;
    }
    i++;
  }
  return Math.min(i, q.length);
}

/** The query without the given terms' words, with `add` appended. */
function rewrite(q: string, drop: Term[], add: string): string {
  const spans = [...new Set(drop.map((t) => t.column - 1))].sort((a, b) => b - a);
  let out = q;
  for (const start of spans) out = out.slice(0, start) + out.slice(termEnd(out, start));
  return `${out.replace(/\s+/g, ' ').trim()} ${add}`.trim();
}

const is = (t: Term, field: string, value?: string) => t.field === field && (value === undefined || t.value.toLowerCase() === value);

/** Hints for a query that matched nothing (empty when nothing in it is suspicious). */
export function queryHints(q: string, ast: SearchNode | null): QueryHint[] {
  const terms = requiredTerms(ast);
  const hints: QueryHint[] = [];
  const dropped = terms.some((t) => is(t, 'verdict', 'dropped'));
  const dnsTerms = terms.filter((t) => is(t, 'dns') || is(t, 'proto', 'dns'));
  if (dropped && dnsTerms.length) {
    hints.push({
      code: 'dns-dropped',
      message:
        "Dropped packets carry no DNS layer. Hubble's DNS records come from Cilium's DNS proxy, which only sees the queries that policy " +
        'allowed through to it; a query dropped by policy shows up as a plain UDP (or TCP) packet to port 53. Look for port 53/udp instead.',
      suggestion: { label: 'to port 53/udp', q: rewrite(q, dnsTerms, 'proto:udp to-port:53') },
    });
  }
  const icmp = terms.some((t) => t.field === 'proto' && t.value.toLowerCase().startsWith('icmp'));
  const portTerms = terms.filter((t) => t.field === 'port' || t.field === 'from-port' || t.field === 'to-port');
  if (icmp && portTerms.length) {
    hints.push({ code: 'icmp-port', message: 'ICMP has no ports: a port term never matches an ICMP flow.', suggestion: { label: 'without the port', q: rewrite(q, portTerms, '') } });
  }
  const verdicts = terms.filter((t) => t.field === 'verdict');
  if (terms.some((t) => t.field === 'reason') && verdicts.length && !dropped) {
    hints.push({
      code: 'drop-reason-verdict',
      message: `Only DROPPED flows have a drop reason; with ${verdicts.map((t) => `verdict:${t.value}`).join(' ')} it never matches.`,
      suggestion: { label: 'verdict:dropped', q: rewrite(q, verdicts, 'verdict:dropped') },
    });
  }
  return hints;
}
