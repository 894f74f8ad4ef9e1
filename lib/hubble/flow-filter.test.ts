import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { flow as fixture, pod } from '../testing/flow-fixtures';
import { compileFilters, FilterError, type FlowFilter } from './flow-filter';

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
