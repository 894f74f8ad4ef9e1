/**
 * Why a flow filter can come back empty, in words. The filter follows `hubble observe`
 * (lib/hubble/flow-query.ts): fields without a side must all match the SAME end of a flow,
 * `from*` fields the source, `to*` fields the destination, the rest the whole flow. People read
 * "namespace payments, port 5432" as "payments talking to 5432", which is not what it means; and
 * some combinations cannot match at all (a dropped packet has no DNS layer). This says which.
 */

import type { FlowQuery } from '../hubble/flow-query';

/** The fields that describe one end of a flow, in the order people name them. */
export const ENDPOINT_FIELDS = ['namespace', 'pod', 'label', 'ip', 'fqdn', 'port'] as const;
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];
export type Side = 'either' | 'from' | 'to';

/** `namespace` / `fromNamespace` / `toNamespace`: the URL parameter of a field on one side. */
export function sideKey(side: Side, field: EndpointField): keyof FlowQuery {
  if (side === 'either') return field;
  return `${side}${field[0].toUpperCase()}${field.slice(1)}` as keyof FlowQuery;
}

export type HintCode = 'dns-dropped' | 'same-end' | 'icmp-port' | 'drop-reason-verdict' | 'http-fields-protocol';

export interface FilterHint {
  code: HintCode;
  message: string;
  /** A filter that likely says what was meant (URL parameters of the flows page). */
  suggestion?: { label: string; query: FlowQuery };
}

export interface FilterExplanation {
  /** How the given fields combine: either end, source end, destination end, whole flow. */
  combination: string[];
  /** Combinations that match nothing, or less than people usually mean, with what to try instead. */
  hints: FilterHint[];
}

const NAMES: Record<EndpointField, string> = { namespace: 'namespace', pod: 'pod', label: 'label', ip: 'IP', fqdn: 'FQDN', port: 'port' };

const WHOLE_FLOW: [keyof FlowQuery, string][] = [
  ['verdict', 'verdict'],
  ['protocol', 'protocol'],
  ['dropReason', 'drop reason'],
  ['httpStatus', 'HTTP status'],
  ['httpMethod', 'HTTP method'],
  ['direction', 'direction'],
  ['node', 'node'],
  ['uuid', 'uuid'],
];

const values = (q: FlowQuery, key: keyof FlowQuery): string[] => (q[key] as string[] | undefined) ?? [];
const alternatives = (vs: readonly string[]) => vs.join(' OR ');

/**
 * One end's fields as terms: a pod without a namespace of its own is looked up in the given
 * namespace (`payments/api`), exactly as flow-query builds the pod filter.
 */
function endTerms(q: FlowQuery, side: Side): string[] {
  const terms: string[] = [];
  const namespaces = values(q, sideKey(side, 'namespace'));
  const pods = values(q, sideKey(side, 'pod'));
  if (pods.length) {
    const qualified = namespaces.length ? namespaces.flatMap((ns) => pods.map((p) => (p.includes('/') ? p : `${ns}/${p}`))) : pods;
    terms.push(`pod ${alternatives([...new Set(qualified)])}`);
  } else if (namespaces.length) {
    terms.push(`namespace ${alternatives(namespaces)}`);
  }
  for (const field of ['label', 'ip', 'fqdn', 'port'] as const) {
    const vs = values(q, sideKey(side, field));
    if (vs.length) terms.push(`${NAMES[field]} ${alternatives(vs)}`);
  }
  return terms;
}

function wholeFlowTerms(q: FlowQuery): string[] {
  return WHOLE_FLOW.flatMap(([key, name]) => (values(q, key).length ? [`${name} ${alternatives(values(q, key))}`] : []));
}

/** How the fields of a flow query combine, and why such a query may match nothing. */
export function explainFlowQuery(q: FlowQuery): FilterExplanation {
  const either = endTerms(q, 'either');
  const from = endTerms(q, 'from');
  const to = endTerms(q, 'to');
  const whole = wholeFlowTerms(q);
  const combination: string[] = [];
  if (either.length === 1) combination.push(`${either[0]} matches either end of a flow (its source or its destination).`);
  if (either.length > 1) {
    const all = either.length === 2 ? 'both' : 'all';
    combination.push(`${either.join(' AND ')} must match the SAME end of a flow: ${all} on its source, or ${all} on its destination.`);
  }
  if (from.length) combination.push(`The source must match ${from.join(' AND ')}.`);
  if (to.length) combination.push(`The destination must match ${to.join(' AND ')}.`);
  if (either.length && (from.length || to.length)) combination.push('The from/to fields hold in addition, whichever end matched the either-end fields.');
  if (whole.length) combination.push(`The flow itself must have ${whole.join(' AND ')}.`);
  return { combination, hints: hintsFor(q, either) };
}

function hintsFor(q: FlowQuery, either: string[]): FilterHint[] {
  const hints: FilterHint[] = [];
  const protocols = values(q, 'protocol').map((p) => p.toLowerCase());
  const verdicts = values(q, 'verdict');
  const anyPort = (['either', 'from', 'to'] as const).some((s) => values(q, sideKey(s, 'port')).length > 0);

  if (protocols.includes('dns') && verdicts.includes('DROPPED')) {
    hints.push({
      code: 'dns-dropped',
      message:
        "Dropped packets carry no DNS layer. Hubble's DNS records (protocol dns) come from Cilium's DNS proxy, which only sees the " +
        'queries that policy allowed through to it; a query dropped by policy shows up as a plain UDP (or TCP) packet to port 53. ' +
        'Look for port 53/udp instead.',
      suggestion: { label: 'to port 53/udp', query: { ...q, protocol: ['udp'], toPort: ['53'] } },
    });
  }

  const eitherPorts = values(q, 'port');
  if (eitherPorts.length && either.length > 1) {
    const endpointFields = ENDPOINT_FIELDS.filter((f) => f !== 'port' && values(q, f).length);
    const moved: FlowQuery = { ...q, port: undefined, toPort: [...values(q, 'toPort'), ...eitherPorts] };
    for (const f of endpointFields) {
      moved[f] = undefined;
      (moved as Record<string, string[]>)[sideKey('from', f)] = [...values(q, sideKey('from', f)), ...values(q, f)];
    }
    const who = either.filter((t) => !t.startsWith('port '));
    hints.push({
      code: 'same-end',
      message:
        `${either.join(' AND ')} must match the SAME end of a flow. A flow from ${who.join(' AND ')} to port ${alternatives(eitherPorts)} ` +
        `on another endpoint does not match: its source matches ${who.join(' AND ')}, but the port is its destination's. ` +
        'To mean "from … to port …", set the endpoint fields to "from" and the port to "to".',
      suggestion: { label: `from ${who.join(' AND ')} to port ${alternatives(eitherPorts)}`, query: moved },
    });
  }

  if (protocols.length && protocols.every((p) => p.startsWith('icmp')) && anyPort) {
    const noPorts: FlowQuery = { ...q };
    for (const s of ['either', 'from', 'to'] as const) noPorts[sideKey(s, 'port')] = undefined;
    hints.push({
      code: 'icmp-port',
      message: 'ICMP has no ports: a port field never matches an ICMP flow.',
      suggestion: { label: 'without the port', query: noPorts },
    });
  }

  if (values(q, 'dropReason').length && verdicts.length && !verdicts.includes('DROPPED')) {
    hints.push({
      code: 'drop-reason-verdict',
      message: `Only DROPPED flows have a drop reason; with verdict ${alternatives(verdicts)} it never matches.`,
      suggestion: { label: 'verdict DROPPED', query: { ...q, verdict: ['DROPPED'] } },
    });
  }

  if ((values(q, 'httpStatus').length || values(q, 'httpMethod').length) && protocols.length && !protocols.includes('http')) {
    hints.push({
      code: 'http-fields-protocol',
      message: `HTTP status and method come from the HTTP layer; with protocol ${alternatives(protocols)} they never match.`,
      suggestion: { label: 'protocol http', query: { ...q, protocol: ['http'] } },
    });
  }
  return hints;
}

/** A flow query as the flows page's URL parameters (values of one field comma-joined: OR). */
export function flowQueryToSearchParams(q: FlowQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, vs] of Object.entries(q) as [string, string[] | undefined][]) if (vs?.length) params.set(key, vs.join(','));
  return params;
}
