/**
 * The parts of a FlowRecord a search reads, derived exactly as lib/history/schema.ts stores them, so
 * the live predicate and the SQL over stored rows see the same values: the workload the map shows,
 * which L7 record a flow carries (a stored row keeps one: DNS, else HTTP, else Kafka, as rowToFlow
 * reads it back), and the URL path. sql.ts holds the matching column expressions.
 */

import type { DnsRecord, FlowEndpoint, FlowRecord, HttpRecord, KafkaRecord } from '../flows/flow-record';
import { policyText, storedWorkloadOf } from '../history/schema';

/** The workload stored for an endpoint (`src_workload`), by schema.ts's own rule. */
export function storedWorkload(ep: FlowEndpoint): string {
  return storedWorkloadOf(ep).name;
}

/** The DNS record, when the flow carries one with a query. */
export function dnsOf(f: FlowRecord): DnsRecord | undefined {
  const dns = f.l7?.dns;
  return dns && dns.query !== '' ? dns : undefined;
}

/** The HTTP record, when the flow carries one with a method or a status (and no DNS record). */
export function httpOf(f: FlowRecord): HttpRecord | undefined {
  const http = f.l7?.http;
  return http && !dnsOf(f) && (http.method !== '' || http.code !== 0) ? http : undefined;
}

/** The Kafka record, when the flow carries one with an API key (and neither DNS nor HTTP). */
export function kafkaOf(f: FlowRecord): KafkaRecord | undefined {
  const kafka = f.l7?.kafka;
  return kafka && kafka.apiKey !== '' && !dnsOf(f) && !httpOf(f) ? kafka : undefined;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSchemeChar = (c: number) => isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;

/**
 * The path of a URL as Hubble's --http-path sees it: after `scheme://authority`, before `?` or `#`,
 * as sent (no decoding or dot-segment removal, which the store could not repeat); `/` when empty.
 */
export function urlPath(url: string): string {
  let rest = url;
  const sep = url.indexOf('://');
  if (sep > 0 && isLetter(url.charCodeAt(0))) {
    let scheme = true;
    for (let i = 1; i < sep; i++) if (!isSchemeChar(url.charCodeAt(i))) scheme = false;
    if (scheme) {
      let i = sep + 3;
      while (i < url.length && url[i] !== '/' && url[i] !== '?' && url[i] !== '#') i++;
      rest = url.slice(i);
    }
  }
  let end = 0;
  while (end < rest.length && rest[end] !== '?' && rest[end] !== '#') end++;
  return end === 0 ? '/' : rest.slice(0, end);
}

/** Every policy that allowed or denied the flow, as `kind/namespace/name` (the stored form). */
export function policyTexts(f: FlowRecord): string[] {
  const out: string[] = [];
  for (const list of [f.egressAllowedBy, f.ingressAllowedBy, f.egressDeniedBy, f.ingressDeniedBy]) {
    for (const p of list) out.push(policyText(p));
  }
  return out;
}

/** `proto:` values that name one L4 protocol, and the protocol as flows (and the `protocol` column) carry it. */
export const PROTOCOL_NAMES: Readonly<Record<string, string>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP', icmpv4: 'ICMPv4', icmpv6: 'ICMPv6' };
