/**
 * Links to /flows from before the search language carried one URL parameter per filter field
 * (`namespace=payments&toPort=53&verdict=DROPPED`, comma lists as alternatives). This turns them
 * into the equivalent query text so old bookmarks and pasted links keep working.
 *
 * One difference is inherent: the old undirected fields (`namespace`, `port`, ...) had to match the
 * SAME end of a flow together; in the query language each term matches either end on its own. A
 * link combining two undirected fields may therefore match a little more than it used to.
 */

import { quoteValue } from '@/lib/search/complete';

/** Old parameter -> search field. `protocol` and `direction` are handled on their own. */
const FIELD_OF: Record<string, string> = {
  namespace: 'ns', fromNamespace: 'from-ns', toNamespace: 'to-ns',
  pod: 'pod', fromPod: 'from-pod', toPod: 'to-pod',
  ip: 'ip', fromIp: 'from-ip', toIp: 'to-ip',
  label: 'label', fromLabel: 'from-label', toLabel: 'to-label',
  fqdn: 'fqdn', fromFqdn: 'from-fqdn', toFqdn: 'to-fqdn',
  port: 'port', fromPort: 'from-port', toPort: 'to-port',
  verdict: 'verdict',
  dropReason: 'reason',
  httpStatus: 'http-status',
  httpMethod: 'http-method',
  node: 'node',
  uuid: 'uuid',
};

/** Every parameter name the old filter form wrote. */
export const LEGACY_FILTER_PARAMS: ReadonlySet<string> = new Set([...Object.keys(FIELD_OF), 'protocol', 'direction']);

/** Old protocol choices; `proto:` takes the L4 ones and the L7 kinds alike. */
const PROTOCOL_TERM: Record<string, string> = Object.fromEntries(['tcp', 'udp', 'sctp', 'icmp', 'icmpv4', 'icmpv6', 'http', 'dns', 'kafka'].map((p) => [p, `proto:${p}`]));

/** Most alternatives kept per parameter, as the old parser allowed. */
const MAX_VALUES = 20;


function termsOf(param: string, values: string[]): string[] {
  if (param === 'protocol') return values.map((v) => PROTOCOL_TERM[v.toLowerCase()]).filter((t): t is string => t !== undefined);
  const field = FIELD_OF[param];
  return values.map((v) => {
    if (param === 'verdict') v = v.toLowerCase();
    return `${field}:${quoteValue(v)}`;
  });
}

/**
 * The query an old filter URL means, or null when it has no old parameters; `unsupported` names
 * what has no equivalent in the language (and was left out).
 */
export function legacyFilterToQuery(params: URLSearchParams): { query: string; unsupported: string[] } | null {
  const parts: string[] = [];
  const unsupported: string[] = [];
  let any = false;
  for (const param of LEGACY_FILTER_PARAMS) {
    const values = params
      .getAll(param)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .slice(0, MAX_VALUES);
    if (values.length === 0) continue;
    any = true;
    if (param === 'direction') {
      unsupported.push(`direction=${values.join(',')}`);
      continue;
    }
    const terms = [...new Set(termsOf(param, values))];
    if (param === 'protocol' && terms.length < values.length) unsupported.push(`protocol=${values.filter((v) => !PROTOCOL_TERM[v.toLowerCase()]).join(',')}`);
    if (terms.length === 1) parts.push(terms[0]);
    else if (terms.length > 1) parts.push(`(${terms.join(' OR ')})`);
  }
  return any ? { query: parts.join(' '), unsupported } : null;
}
