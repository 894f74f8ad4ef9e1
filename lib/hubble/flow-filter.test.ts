import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { flow as fixture, pod } from '../testing/flow-fixtures';
import { compileFilters, FilterError, type FlowFilter } from './flow-filter';
import { PATHOLOGICAL, timeRatio } from '../match/testing/time-ratio';

/** A frontend -> api-server TCP flow in production, with what a case changes. */
function flow(patch: Partial<FlowRecord> & { src?: Partial<FlowRecord['source']>; dst?: Partial<FlowRecord['destination']> }): FlowRecord {
  const { src, dst, ...rest } = patch;
  return fixture(
    { ...pod('production', 'frontend-abc', { ip: '10.244.0.5', port: 40000, labels: ['k8s:app=frontend'] }), ...src },
    { ...pod('production', 'api-server-xyz', { ip: '10.244.1.7', port: 8080, labels: ['k8s:app=api-server'] }), ...dst },
    { node: 'aks/aks-nodepool1-0', ...rest },
  );
}

const world = flow({ dst: { namespace: '', pod: '', labels: ['reserved:world'], identity: 2, ip: '140.82.121.6', port: 443, names: ['api.github.com'], workloads: [] } });

describe('compileFilters (Hubble FlowFilter semantics)', () => {
  const cases: [string, FlowFilter[], FlowFilter[], FlowRecord, boolean][] = [
    ['no filters match everything', [], [], flow({}), true],
    ['namespace-only pod filter "ns/"', [{ source_pod: ['production/'] }], [], flow({}), true],
    ['namespace-only pod filter, other namespace', [{ source_pod: ['legacy/'] }], [], flow({}), false],
    ['pod name prefix within namespace', [{ destination_pod: ['production/api-'] }], [], flow({}), true],
    ['pod prefix does not match the middle of a name', [{ destination_pod: ['server'] }], [], flow({}), false],
    ['fields within one filter AND together', [{ source_pod: ['production/'], verdict: ['DROPPED'] }], [], flow({}), false],
    ['values within one field OR together', [{ verdict: ['DROPPED', 'FORWARDED'] }], [], flow({}), true],
    ['filters in the allow list OR together', [{ verdict: ['DROPPED'] }, { destination_port: ['8080'] }], [], flow({}), true],
    ['deny list removes what the allow list admits', [{ source_pod: ['production/'] }], [{ destination_port: ['8080'] }], flow({}), false],
    ['deny list alone removes matching flows', [], [{ verdict: ['FORWARDED'] }], flow({}), false],
    ['IP exact', [{ destination_ip: ['10.244.1.7'] }], [], flow({}), true],
    ['IP in CIDR', [{ destination_ip: ['10.244.0.0/16'] }], [], flow({}), true],
    ['IP outside CIDR', [{ destination_ip: ['10.0.0.0/16'] }], [], flow({}), false],
    ['FQDN exact on destination_names', [{ destination_fqdn: ['api.github.com'] }], [], world, true],
    ['FQDN wildcard spans labels', [{ destination_fqdn: ['*.github.com'] }], [], world, true],
    ['FQDN wildcard does not match another domain', [{ destination_fqdn: ['*.gitlab.com'] }], [], world, false],
    ['label key=value', [{ source_label: ['app=frontend'] }], [], flow({}), true],
    ['label with source prefix', [{ destination_label: ['reserved:world'] }], [], world, true],
    ['label negation', [{ source_label: ['!app'] }], [], flow({}), false],
    ['label != value', [{ source_label: ['app!=frontend'] }], [], flow({}), false],
    ['protocol is case-insensitive', [{ protocol: ['TCP'] }], [], flow({}), true],
    ['protocol http needs an HTTP L7 record', [{ protocol: ['http'] }], [], flow({}), false],
    ['reply=false matches a request', [{ reply: [false] }], [], flow({}), true],
    ['reply=true does not match unknown direction', [{ reply: [true] }], [], flow({ isReply: null }), false],
    ['port filter never matches ICMP', [{ destination_port: ['0'] }], [], flow({ protocol: 'ICMPv4', dst: { port: 0 } }), false],
    ['drop reason', [{ drop_reason_desc: ['POLICY_DENIED'] }], [], flow({ verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }), true],
    ['node name glob', [{ node_name: ['aks/aks-nodepool1-*'] }], [], flow({}), true],
    ['node glob does not cross "/"', [{ node_name: ['*'] }], [], flow({}), false],
    ['http status class', [{ http_status_code: ['5+'] }], [], flow({ l7: { type: 'RESPONSE', latencyNs: 0, http: { method: 'GET', url: 'http://a/b', code: 503, protocol: 'HTTP/1.1', headers: [] } } }), true],
    ['dns query regex', [{ dns_query: ['stripe\\.com\\.$'] }], [], flow({ l7: { type: 'REQUEST', latencyNs: 0, dns: { query: 'api.stripe.com.', ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: [], rrtypes: [] } } }), true],
    ['workload by name', [{ source_workload: [{ name: 'frontend' }] }], [], flow({ src: { workloads: [{ name: 'frontend', kind: 'Deployment' }] } }), true],
  ];
  it.each(cases)('%s', (_name, allow, deny, f, expected) => {
    expect(compileFilters(allow, deny)(f)).toBe(expected);
  });

  const bad: [string, FlowFilter, string][] = [
    ['bad CIDR', { source_ip: ['10.0.0.0/99'] }, 'source_ip'],
    ['bad IP', { destination_ip: ['not-an-ip'] }, 'destination_ip'],
    ['bad port', { destination_port: ['http'] }, 'destination_port'],
    ['bad protocol', { protocol: ['gopher'] }, 'protocol'],
    ['bad verdict', { verdict: ['ALLOWED' as never] }, 'verdict'],
    ['bad regex', { dns_query: ['(unclosed'] }, 'dns_query'],
    ['bad label selector', { source_label: ['a=b=c'] }, 'source_label'],
    ['bad http status', { http_status_code: ['600'] }, 'http_status_code'],
    ['bad drop reason', { drop_reason_desc: ['NOPE'] }, 'drop_reason_desc'],
  ];
  it.each(bad)('rejects a %s naming the field', (_name, filter, field) => {
    let err: unknown;
    try {
      compileFilters([filter]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterError);
    expect((err as FilterError).field).toBe(field);
  });
});

// Issue 8 (hardening), item 1: every pattern a client sends (browser, CLI, any gRPC client of the
// demo relay) matches in linear time; Hubble's own regex fields use Go's RE2, so re2js agrees.
describe('compileFilters on pathological patterns (time as a ratio against a plain pattern)', () => {
  const text = PATHOLOGICAL.text;
  const many = (n: number, patch: Parameters<typeof flow>[0]) => Array.from({ length: n }, () => flow(patch));
  const dns = (query: string): FlowRecord['l7'] => ({ type: 'REQUEST', latencyNs: 0, dns: { query, ips: [], ttl: 30, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } });
  const dnsFlows = many(100, { l7: dns(`${text}.`) });
  const httpFlows = many(100, { l7: { type: 'REQUEST', latencyNs: 0, http: { code: 200, method: 'GET', url: `http://x/${text}`, protocol: 'HTTP/1.1', headers: [] } } });
  const worldFlows = many(100, { dst: { ...world.destination, names: [text] } });
  const cost = (filter: FlowFilter, flows: FlowRecord[]) => {
    const p = compileFilters([filter]);
    return () => flows.forEach(p);
  };

  it.each([
    ['destination_fqdn', PATHOLOGICAL.stars, '*.github.com', worldFlows],
    ['destination_fqdn', PATHOLOGICAL.alternating, '*.github.com', worldFlows],
    ['source_fqdn', PATHOLOGICAL.alternating, '*.github.com', worldFlows],
    ['dns_query', PATHOLOGICAL.nestedRegex, '^a+$', dnsFlows],
    ['dns_query', PATHOLOGICAL.shortTextRegex, 'stripe', dnsFlows],
    ['http_path', PATHOLOGICAL.nestedRegex, '^/a+$', httpFlows],
    ['http_path', PATHOLOGICAL.shortTextRegex, '/api/', httpFlows],
    ['node_name', `${'*a'.repeat(24)}*b`, 'aks/*', worldFlows],
  ] as const)('%s %s', (field, hostile, plain, flows) => {
    expect(timeRatio(cost({ [field]: [hostile] }, [...flows]), cost({ [field]: [plain] }, [...flows]))).toBeLessThan(100);
  });

  it('regex fields take RE2 syntax and refuse what RE2 does not have', () => {
    expect(() => compileFilters([{ dns_query: ['(a)\\1'] }])).toThrow(FilterError);
    expect(compileFilters([{ dns_query: ['stripe\\.com'] }])(flow({ l7: dns('api.stripe.com.') }))).toBe(true);
  });

  it('caps values per field and value length, naming the field', () => {
    expect(() => compileFilters([{ dns_query: ['a'.repeat(2000)] }])).toThrow(/dns_query/);
    expect(() => compileFilters([{ source_pod: Array.from({ length: 300 }, (_, i) => `p${i}`) }])).toThrow(/source_pod: at most 256/);
  });
});
