import { describe, expect, it } from 'vitest';
import type { SearchNode } from './ast';
import { MAX_DEPTH, MAX_QUERY_LENGTH, MAX_TERMS, parseSearch } from './parse';

/** The tree without columns, written compactly: terms as `field:value`, operators as arrays. */
type Shape = string | ['and' | 'or', ...Shape[]] | ['not', Shape];
function shape(n: SearchNode): Shape {
  switch (n.kind) {
    case 'term':
      return `${n.field}:${n.value}`;
    case 'not':
      return ['not', shape(n.child)];
    default:
      return [n.kind, ...n.children.map(shape)];
  }
}

function tree(text: string): Shape | null {
  const p = parseSearch(text);
  if (!p.ok) throw new Error(`${text}: ${p.error.message}`);
  return p.ast ? shape(p.ast) : null;
}

function error(text: string) {
  const p = parseSearch(text);
  if (p.ok) throw new Error(`${text} parsed`);
  return p.error;
}

describe('parseSearch: fields', () => {
  it.each([
    ['ns:shop', 'ns:shop'], ['from-ns:shop', 'from-ns:shop'], ['to-ns:kube-*', 'to-ns:kube-*'],
    ['namespace:shop', 'ns:shop'], ['from-namespace:a', 'from-ns:a'], ['to-namespace:b', 'to-ns:b'], ['NS:shop', 'ns:shop'],
    ['pod:shop/web-', 'pod:shop/web-'], ['from-pod:web-?', 'from-pod:web-?'], ['to-pod:api', 'to-pod:api'],
    ['label:app=api', 'label:app=api'], ['from-label:k8s:app=api', 'from-label:k8s:app=api'], ['to-label:reserved:world', 'to-label:reserved:world'],
    ['workload:checkout', 'workload:checkout'], ['from-workload:shop/web*', 'from-workload:shop/web*'], ['to-workload:db', 'to-workload:db'],
    ['verdict:DROPPED', 'verdict:DROPPED'], ['verdict:redirected', 'verdict:redirected'],
    ['reason:POLICY_DENIED', 'reason:POLICY_DENIED'], ['drop-reason:ct_*', 'reason:ct_*'], ['drop-reason-desc:policy-deny', 'reason:policy-deny'],
    ['port:443', 'port:443'], ['from-port:0', 'from-port:0'], ['to-port:8000-8100', 'to-port:8000-8100'],
    ['proto:tcp', 'proto:tcp'], ['protocol:ICMPv6', 'proto:ICMPv6'], ['proto:http', 'proto:http'],
    ['fqdn:*.example.com', 'fqdn:*.example.com'], ['from-fqdn:a.b', 'from-fqdn:a.b'], ['to-fqdn:API.Stripe.com.', 'to-fqdn:API.Stripe.com.'],
    ['ip:10.0.0.0/8', 'ip:10.0.0.0/8'], ['from-ip:10.1.2.3', 'from-ip:10.1.2.3'], ['to-ip:fd00::/8', 'to-ip:fd00::/8'], ['ip:::1', 'ip:::1'],
    ['dns:*.svc.cluster.local', 'dns:*.svc.cluster.local'],
    ['http-status:5xx', 'http-status:5xx'], ['http-status:404', 'http-status:404'], ['http-status:500-504', 'http-status:500-504'], ['http-code:4+', 'http-status:4+'],
    ['http-method:post', 'http-method:post'], ['http-path:/api/*', 'http-path:/api/*'],
    ['policy:default-deny', 'policy:default-deny'], ['policy:shop/*', 'policy:shop/*'], ['policy:CiliumNetworkPolicy/shop/x', 'policy:CiliumNetworkPolicy/shop/x'],
    ['node:aks-*', 'node:aks-*'], ['node-name:c/n', 'node:c/n'],
    ['identity:16777217', 'identity:16777217'], ['from-identity:world', 'from-identity:world'], ['to-identity:remote-node', 'to-identity:remote-node'],
    ['reply:false', 'reply:false'], ['reply:TRUE', 'reply:TRUE'],
    ['uuid:0b6f8a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 'uuid:0b6f8a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
    ['checkout', 'text:checkout'], ['fe80::1', 'text:fe80::1'], ['10.0.0.1', 'text:10.0.0.1'],
  ])('%s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });

  it('keeps the column where each term starts', () => {
    const p = parseSearch('ns:a   verdict:dropped');
    expect(p.ok && p.ast?.kind === 'and' && p.ast.children.map((c) => (c.kind === 'term' ? c.column : 0))).toEqual([1, 8]);
  });

  it('reads alternatives of closed vocabularies as OR', () => {
    expect(tree('verdict:dropped|error')).toEqual(['or', 'verdict:dropped', 'verdict:error']);
    expect(tree('proto:tcp|udp ns:a')).toEqual(['and', ['or', 'proto:tcp', 'proto:udp'], 'ns:a']);
    // A path may contain `|`: only closed vocabularies split.
    expect(tree('http-path:/a|b')).toBe('http-path:/a|b');
  });
});

describe('parseSearch: operators', () => {
  it('is empty for blank text', () => {
    expect(tree('')).toBeNull();
    expect(tree('  \t ')).toBeNull();
  });

  it('binds AND tighter than OR, juxtaposition being AND', () => {
    expect(tree('a OR b c')).toEqual(['or', 'text:a', ['and', 'text:b', 'text:c']]);
    expect(tree('a b OR c')).toEqual(['or', ['and', 'text:a', 'text:b'], 'text:c']);
    expect(tree('a AND b OR c AND d')).toEqual(['or', ['and', 'text:a', 'text:b'], ['and', 'text:c', 'text:d']]);
  });

  it('binds NOT tighter than AND', () => {
    expect(tree('NOT a b')).toEqual(['and', ['not', 'text:a'], 'text:b']);
    expect(tree('a OR NOT b')).toEqual(['or', 'text:a', ['not', 'text:b']]);
    expect(tree('NOT NOT a')).toEqual(['not', ['not', 'text:a']]);
  });

  it('reads keywords in any case, and -term as NOT', () => {
    expect(tree('a or b and not c')).toEqual(['or', 'text:a', ['and', 'text:b', ['not', 'text:c']]]);
    expect(tree('-ns:kube-system verdict:dropped')).toEqual(['and', ['not', 'ns:kube-system'], 'verdict:dropped']);
    expect(tree('-(a OR b)')).toEqual(['not', ['or', 'text:a', 'text:b']]);
  });

  it('groups with parentheses', () => {
    expect(tree('(a OR b) c')).toEqual(['and', ['or', 'text:a', 'text:b'], 'text:c']);
    expect(tree('((a))')).toBe('text:a');
    expect(tree('ns:a(b)')).toEqual(['and', 'ns:a', 'text:b']);
  });

  it('flattens chains of one operator', () => {
    expect(tree('a (b c) d')).toEqual(['and', 'text:a', 'text:b', 'text:c', 'text:d']);
  });

  it('reads quoted values and phrases with \\" and \\\\ escapes', () => {
    expect(tree('pod:"a b"')).toBe('pod:a b');
    expect(tree('label:"k8s:app=a b"')).toBe('label:k8s:app=a b');
    expect(tree('"two words" OR "say \\"hi\\""')).toEqual(['or', 'text:two words', 'text:say "hi"']);
    expect(tree('http-path:"/a\\\\b"')).toBe('http-path:/a\\b');
    expect(tree('"AND"')).toBe('text:AND');
    expect(tree('http-path:"/x(1)"')).toBe('http-path:/x(1)');
  });
});

describe('parseSearch: errors say what was expected, and where', () => {
  it.each([
    ['port:', 'expected a value after "port:" at column 6', 6, 'a value'],
    ['ns:a port: x', 'expected a value after "port:" at column 11', 11, 'a value'],
    ['prot:tcp', 'unknown field "prot" at column 1 (did you mean "proto"?)', 1, 'a field name'],
    ['ns:a verdct:dropped', 'unknown field "verdct" at column 6 (did you mean "verdict"?)', 6, 'a field name'],
    ['zzz:1', 'unknown field "zzz" at column 1; put the word in quotes to search for it as text', 1, 'a field name'],
    ['a )', 'unbalanced ")" at column 3: no "(" before it', 3, 'a term or the end'],
    [')', 'unbalanced ")" at column 1: no "(" before it', 1, 'a term'],
    ['(a OR b', 'unbalanced "(" at column 1: expected ")"', 1, '")"'],
    ['a (', 'unbalanced "(" at column 3: expected a term and ")"', 3, '")"'],
    ['()', 'expected a term inside "()" at column 2', 2, 'a term'],
    ['pod:"a b', 'unterminated quote at column 5: expected a closing "', 5, '"'],
    ['"abc', 'unterminated quote at column 1: expected a closing "', 1, '"'],
    ['a AND', 'expected a term after "AND" at column 6', 6, 'a term'],
    ['a OR OR b', 'expected a term after "OR" at column 6, found "OR"', 6, 'a term'],
    ['a AND )', 'expected a term after "AND" at column 7, found ")"', 7, 'a term'],
    ['OR a', 'expected a term at column 1, found "OR"', 1, 'a term'],
    ['NOT', 'expected a term after "NOT" at column 4', 4, 'a term'],
    ['a - b', 'expected a term right after "-" at column 4', 4, 'a term'],
    ['foo"bar"', 'unexpected quote at column 4: a quote starts a value (field:"…") or a phrase ("…")', 4, 'a space'],
    ['pod:"x"y', 'expected a space after the quoted value at column 8', 8, 'a space'],
    ['ns:ab"c"', 'unexpected quote at column 6: quote the whole value (ns:"…")', 6, 'a space'],
    ['""', 'expected text inside the quotes at column 1', 1, 'text'],
    ['ns:""', 'expected a value after "ns:" at column 4', 4, 'a value'],
    ['verdict:dropped|', 'expected a value after "verdict:" at column 17', 17, 'a value'],
    ['verdict:dropped|denied', 'verdict: "denied" is not a verdict (forwarded, dropped, audit, error, redirected, traced, translated) (column 17)', 17, 'forwarded | dropped | audit | error | redirected | traced | translated'],
  ])('%s', (text, message, column, expected) => {
    expect(error(text)).toEqual({ message, column, expected });
  });

  it.each([
    ['port:65536', 5 + 1, 'a port number or a range'],
    ['port:http', 6, 'a port number or a range'],
    ['to-port:90-80', 9, 'a range low-high'],
    ['http-status:99', 13, 'an HTTP status'],
    ['http-status:6xx', 13, 'an HTTP status'],
    ['http-status:500-400', 13, 'a range low-high'],
    ['ip:10.0.0.0/33', 4, 'an IP address or a CIDR'],
    ['from-ip:300.1.1.1', 9, 'an IP address or a CIDR'],
    ['ip:1', 4, 'an IP address or a CIDR'],
    ['proto:icmp4', 7, 'tcp | udp | sctp | icmp | icmpv4 | icmpv6 | http | dns | kafka'],
    ['reply:yes', 7, 'true | false'],
    ['identity:-1', 10, 'an identity'],
    ['identity:4294967296', 10, 'an identity'],
    ['identity:planet', 10, 'an identity'],
    ['fqdn:"bad name"', 6, 'a DNS name'],
    ['dns:a?b', 5, 'a DNS name'],
    ['label:=x', 7, 'a label key'],
    ['label::app', 7, 'a label key'],
    ['ns:shop/web', 4, 'a namespace'],
    ['pod:a/b/c', 5, 'a name or namespace/name'],
    ['workload:/', 10, 'a name or namespace/name'],
    ['policy:a/b/c/d', 8, 'a policy name'],
    ['policy:shop/', 8, 'a policy name'],
    ['reason:"POLICY DENIED"', 8, 'a drop reason'],
    ['http-method:G3T', 13, 'an HTTP method'],
    ['uuid:not-a-uuid!', 6, 'a uuid'],
  ])('refuses the value of %s', (text, column, expected) => {
    const e = error(text);
    expect(e.column).toBe(column);
    expect(e.expected).toBe(expected);
    expect(e.message).toMatch(new RegExp(`\\(column ${column}\\)$`));
  });

  it('caps the length, the terms and the nesting', () => {
    expect(error('a'.repeat(MAX_QUERY_LENGTH + 1)).message).toBe(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
    expect(parseSearch(`${'a'.repeat(500)}${' '.repeat(MAX_QUERY_LENGTH - 500)}`).ok).toBe(true);
    expect(parseSearch(Array.from({ length: MAX_TERMS }, (_, i) => `t${i}`).join(' ')).ok).toBe(true);
    const tooMany = error(Array.from({ length: MAX_TERMS + 1 }, (_, i) => `t${i}`).join(' '));
    expect(tooMany.message).toMatch(/more than 100 terms/);
    // Alternatives count as terms too.
    expect(error(`verdict:${Array(MAX_TERMS + 1).fill('dropped').join('|')}`).message).toMatch(/more than 100 terms/);
    expect(parseSearch(`${'('.repeat(MAX_DEPTH)}a${')'.repeat(MAX_DEPTH)}`).ok).toBe(true);
    expect(error(`${'('.repeat(MAX_DEPTH + 1)}a${')'.repeat(MAX_DEPTH + 1)}`).message).toMatch(/nests deeper than 32 levels at column 33/);
    expect(error(`${'NOT '.repeat(MAX_DEPTH + 1)}a`).message).toMatch(/nests deeper/);
  });

  it('caps a value at 512 characters', () => {
    expect(parseSearch(`http-path:/${'a'.repeat(512)}`).ok).toBe(false);
    expect(parseSearch(`http-path:/${'a'.repeat(511)}`).ok).toBe(true);
  });
});
