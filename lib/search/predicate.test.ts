import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import type { SearchNode } from './ast';
import { parseSearch } from './parse';
import { SearchCompileError, searchPredicate } from './predicate';
import { flow } from './testing/tricky-flows';

function matches(query: string, f: FlowRecord): boolean {
  const p = parseSearch(query);
  if (!p.ok) throw new Error(`${query}: ${p.error.message}`);
  return searchPredicate(p.ast)(f);
}

const web = { ip: '10.244.1.10', namespace: 'shop', pod: 'web-5d8f7c9b6-abcde', identity: 41000, labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'] };
const api = { ip: '10.244.2.20', namespace: 'payments', pod: 'api-0', identity: 42000, labels: ['k8s:app=api'], port: 8080 };
const webToApi = flow({ source: web, destination: api });
const apiToWebReply = flow({ source: { ...api, port: 8080 }, destination: { ...web, port: 40000 }, isReply: true });

describe('searchPredicate: sides, as hubble observe', () => {
  it('matches undirected fields on either side, from-/to- on one', () => {
    expect(matches('ns:shop', webToApi)).toBe(true);
    expect(matches('ns:payments', webToApi)).toBe(true);
    expect(matches('from-ns:shop', webToApi)).toBe(true);
    expect(matches('to-ns:shop', webToApi)).toBe(false);
    expect(matches('from-ns:payments', webToApi)).toBe(false);
    expect(matches('ip:10.244.2.20', webToApi)).toBe(true);
    expect(matches('from-ip:10.244.2.20', webToApi)).toBe(false);
    expect(matches('label:app=api', webToApi)).toBe(true);
    expect(matches('from-label:app=api', webToApi)).toBe(false);
    expect(matches('port:8080', webToApi)).toBe(true);
    expect(matches('from-port:8080', webToApi)).toBe(false);
    expect(matches('identity:41000', webToApi)).toBe(true);
    expect(matches('to-identity:41000', webToApi)).toBe(false);
  });

  it('does not fold replies: from- is the packet source', () => {
    expect(matches('from-ns:payments', apiToWebReply)).toBe(true);
    expect(matches('reply:true', apiToWebReply)).toBe(true);
    expect(matches('reply:false', apiToWebReply)).toBe(false);
  });

  it('counts a flow of unknown direction as not a reply (hubble\'s reply filter)', () => {
    const unknown = flow({ isReply: null });
    expect(matches('reply:false', unknown)).toBe(true);
    expect(matches('reply:true', unknown)).toBe(false);
  });
});

describe('searchPredicate: names', () => {
  it('reads pod as a name prefix, optionally namespace/prefix, with globs', () => {
    expect(matches('pod:web-', webToApi)).toBe(true);
    expect(matches('pod:web', webToApi)).toBe(true);
    expect(matches('pod:eb-', webToApi)).toBe(false);
    expect(matches('pod:shop/web', webToApi)).toBe(true);
    expect(matches('pod:payments/web', webToApi)).toBe(false);
    expect(matches('pod:shop/', webToApi)).toBe(true);
    expect(matches('to-pod:*/api-?', webToApi)).toBe(true);
    expect(matches('pod:*', flow({}))).toBe(false);
  });

  it('reads ns as a whole-name glob', () => {
    expect(matches('ns:sho', webToApi)).toBe(false);
    expect(matches('ns:sh*', webToApi)).toBe(true);
    expect(matches('ns:s?op', webToApi)).toBe(true);
    // An endpoint outside the cluster has no namespace: `*` does not match it.
    expect(matches('to-ns:*', flow({ destination: { ip: '1.1.1.1' } }))).toBe(false);
  });

  it('finds the workload the map shows: Cilium\'s, else from the pod name', () => {
    expect(matches('from-workload:web', webToApi)).toBe(true);
    expect(matches('from-workload:shop/web', webToApi)).toBe(true);
    expect(matches('from-workload:other/web', webToApi)).toBe(false);
    expect(matches('to-workload:api', webToApi)).toBe(true);
    const reported = flow({ source: { ...web, workloads: [{ name: 'storefront', kind: 'Deployment' }] } });
    expect(matches('workload:storefront', reported)).toBe(true);
    expect(matches('workload:web', reported)).toBe(false);
  });

  it('matches fqdn on the names Cilium associated, in any case, with or without the trailing dot', () => {
    const world = flow({ destination: { ip: '54.187.174.169', identity: 2, labels: ['reserved:world'], names: ['API.Stripe.com.'] } });
    expect(matches('fqdn:api.stripe.com', world)).toBe(true);
    expect(matches('to-fqdn:*.stripe.com', world)).toBe(true);
    expect(matches('to-fqdn:*.com.', world)).toBe(true);
    expect(matches('from-fqdn:*', world)).toBe(false);
    expect(matches('fqdn:stripe.com', world)).toBe(false);
  });

  it('reads labels as key=value or key, with or without the source', () => {
    const f = flow({ source: { labels: ['k8s:app=api', 'reserved:world', 'container:tier=db', 'bare=1'] } });
    expect(matches('label:app=api', f)).toBe(true);
    expect(matches('label:k8s:app=api', f)).toBe(true);
    expect(matches('label:container:app=api', f)).toBe(false);
    expect(matches('label:app', f)).toBe(true);
    expect(matches('label:ap', f)).toBe(false);
    expect(matches('label:app=ap', f)).toBe(false);
    expect(matches('label:reserved:world', f)).toBe(true);
    expect(matches('label:world', f)).toBe(true);
    expect(matches('label:tier=db', f)).toBe(true);
    expect(matches('label:bare=1', f)).toBe(true);
  });

  it('finds bare words in names of either side, in any case', () => {
    expect(matches('WEB-5d8f', webToApi)).toBe(true);
    expect(matches('10.244.2', webToApi)).toBe(true);
    expect(matches('paym', webToApi)).toBe(true);
    expect(matches('stripe', webToApi)).toBe(false);
    const dns = flow({ l7: { type: 'REQUEST', latencyNs: 0, dns: { query: 'Api.GitHub.com.', ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: [], rrtypes: [] } } });
    expect(matches('github', dns)).toBe(true);
  });
});

describe('searchPredicate: flow fields', () => {
  const http = (method: string, url: string, code: number) => flow({ type: 'L7', l7: { type: 'RESPONSE', latencyNs: 0, http: { method, url, code, protocol: 'HTTP/1.1', headers: [] } } });

  it('matches ports only on flows that have them (not ICMP)', () => {
    const icmp = flow({ protocol: 'ICMPv4', destination: { port: 0 }, icmp: { type: 8, code: 0 } });
    expect(matches('port:0', icmp)).toBe(false);
    expect(matches('port:0', flow({ destination: { port: 0 } }))).toBe(true);
    expect(matches('to-port:8000-8100', webToApi)).toBe(true);
    expect(matches('to-port:8081-8100', webToApi)).toBe(false);
  });

  it('reads proto as hubble does, icmp meaning both families', () => {
    expect(matches('proto:icmp', flow({ protocol: 'ICMPv6' }))).toBe(true);
    expect(matches('proto:icmpv4', flow({ protocol: 'ICMPv6' }))).toBe(false);
    expect(matches('proto:TCP', webToApi)).toBe(true);
    expect(matches('proto:http', http('GET', '/', 200))).toBe(true);
    expect(matches('proto:http', webToApi)).toBe(false);
  });

  it('reads http-status as a code, a family or a range, on HTTP flows only', () => {
    expect(matches('http-status:5xx', http('GET', '/', 503))).toBe(true);
    expect(matches('http-status:5+', http('GET', '/', 503))).toBe(true);
    expect(matches('http-status:4xx', http('GET', '/', 503))).toBe(false);
    expect(matches('http-status:500-502', http('GET', '/', 503))).toBe(false);
    expect(matches('http-status:503', http('GET', '/', 503))).toBe(true);
    expect(matches('http-method:get', http('GET', '/', 200))).toBe(true);
    expect(matches('http-method:POST', http('post', '/', 200))).toBe(true);
  });

  it('reads http-path from the URL without scheme, host or query', () => {
    expect(matches('http-path:/api/*', http('GET', 'http://api:8080/api/v1?x=1', 200))).toBe(true);
    expect(matches('http-path:/api/v1', http('GET', 'http://api:8080/api/v1?x=1#f', 200))).toBe(true);
    expect(matches('http-path:/', http('GET', 'https://api', 200))).toBe(true);
    expect(matches('http-path:/api', http('GET', '/api?q', 200))).toBe(true);
    expect(matches('http-path:/api', http('GET', '/api/x', 200))).toBe(false);
  });

  it('matches policies by name, namespace/name or kind/namespace/name', () => {
    const f = flow({ ingressDeniedBy: [{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'db-lockdown' }], egressAllowedBy: [{ kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: 'baseline' }] });
    expect(matches('policy:db-lockdown', f)).toBe(true);
    expect(matches('policy:shop/db-*', f)).toBe(true);
    expect(matches('policy:CiliumNetworkPolicy/shop/db-lockdown', f)).toBe(true);
    expect(matches('policy:NetworkPolicy/shop/db-lockdown', f)).toBe(false);
    expect(matches('policy:other/db-lockdown', f)).toBe(false);
    expect(matches('policy:/baseline', f)).toBe(true);
    // `*` stays inside one part: it cannot stand for `shop/db`.
    expect(matches('policy:*-lockdown', f)).toBe(true);
    expect(matches('policy:sh*ckdown', f)).toBe(false);
  });

  it('reads reason in any case with - for _, node globs within cluster/node', () => {
    const drop = flow({ verdict: 'DROPPED', dropReason: 'POLICY_DENIED', node: 'aks-prod/node-1' });
    expect(matches('reason:policy-denied', drop)).toBe(true);
    expect(matches('reason:POLICY_*', drop)).toBe(true);
    expect(matches('reason:CT_*', drop)).toBe(false);
    expect(matches('verdict:dropped', drop)).toBe(true);
    expect(matches('node:aks-prod/*', drop)).toBe(true);
    expect(matches('node:*/node-?', drop)).toBe(true);
    expect(matches('node:aks-*', drop)).toBe(false);
  });

  it('reads ip as an address or a network, IPv4-mapped addresses as IPv4', () => {
    const mapped = flow({ source: { ip: '::ffff:10.1.2.3' } });
    expect(matches('ip:10.0.0.0/8', mapped)).toBe(true);
    expect(matches('ip:10.1.2.3', mapped)).toBe(true);
    expect(matches('ip:::/0', mapped)).toBe(false);
    expect(matches('ip:fd00::/8', flow({ destination: { ip: 'fd00::5' } }))).toBe(true);
    expect(matches('ip:0.0.0.0/0', flow({}))).toBe(false);
  });

  it('reads identity names as the reserved numbers', () => {
    expect(matches('identity:world', flow({ destination: { identity: 2 } }))).toBe(true);
    expect(matches('identity:remote-node', flow({ source: { identity: 6 } }))).toBe(true);
    expect(matches('identity:host', flow({ source: { identity: 6 } }))).toBe(false);
  });
});

describe('searchPredicate: operators and trees', () => {
  it('combines terms with AND, OR and NOT', () => {
    expect(matches('ns:shop verdict:forwarded', webToApi)).toBe(true);
    expect(matches('ns:shop verdict:dropped', webToApi)).toBe(false);
    expect(matches('ns:nope OR verdict:forwarded', webToApi)).toBe(true);
    expect(matches('NOT ns:shop', webToApi)).toBe(false);
    expect(matches('-ns:nope', webToApi)).toBe(true);
  });

  it('matches everything for the empty search', () => {
    expect(searchPredicate(null)(webToApi)).toBe(true);
  });

  it('refuses a hand-built tree with a value its field cannot take, naming the column', () => {
    const bad: SearchNode = { kind: 'term', field: 'port', value: 'http', column: 7 };
    expect(() => searchPredicate(bad)).toThrow(SearchCompileError);
    try {
      searchPredicate(bad);
    } catch (e) {
      expect((e as SearchCompileError).column).toBe(7);
    }
  });
});
