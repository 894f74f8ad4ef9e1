/**
 * Cilium FQDN selectors (`toFQDNs`, DNS L7 rules): matchName / matchPattern, compiled once to a regex.
 * Cilium learns the IPs of a name from the DNS answers its proxy sees; Flowsight does the same from the
 * DNS answers in observed flows, given to the engine as a name -> IPs map (`DnsNames`).
 */

import { charClass, literal, one, run, Wildcard, type WildcardToken } from '../match/wildcard';
import type { PolicyErrorSink } from './policy-error';

export interface FqdnSelector {
  readonly text: string;
  matches(name: string): boolean;
}

/** DNS names are case-insensitive and may come fully qualified (`api.stripe.com.`). */
export function normalizeDnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

// Cilium's matchpattern: `*` stands for any run of DNS label characters (never a dot), so `*.example.com`
// matches `a.example.com` but neither `example.com` nor `a.b.example.com`. A leading `**.` (Cilium 1.17+)
// matches one or more labels. A lone `*` matches every name.
// Matched with the linear-time wildcard matcher: policies come from users, and `*a*a*a*...` on a
// backtracking regex would freeze the server.
const LABEL_CHARS = charClass('-_', ['a', 'z'], ['0', '9']);
const NAME_CHARS = charClass('-_.', ['a', 'z'], ['0', '9']);
const MAX_DNS_NAME = 253;

function compilePattern(pattern: string): Wildcard {
  let p = normalizeDnsName(pattern);
  const tokens: WildcardToken[] = [];
  if (p.startsWith('**.')) {
    // One or more whole labels, each followed by its dot (names with empty labels never match).
    tokens.push(one(LABEL_CHARS), run(NAME_CHARS), ...literal('.'));
    p = p.slice(3);
  }
  for (const ch of p) {
    if (ch !== '*') tokens.push(...literal(ch));
    else if (tokens.at(-1)?.kind !== 'run') tokens.push(run(LABEL_CHARS));
  }
  return new Wildcard(tokens, pattern);
}

/** Compiles one `{matchName}` / `{matchPattern}` entry. */
export function compileFqdnSelector(raw: unknown, field: string, errors: PolicyErrorSink): FqdnSelector | undefined {
  const r = (raw ?? {}) as { matchName?: unknown; matchPattern?: unknown };
  if (typeof r.matchName === 'string' && r.matchName !== '') {
    if (!/^[-a-zA-Z0-9_.]+$/.test(r.matchName)) {
      errors.error('invalid-rule', `${field}.matchName`, `${r.matchName} is not a DNS name`);
      return undefined;
    }
    const wanted = normalizeDnsName(r.matchName);
    return { text: r.matchName, matches: (name) => normalizeDnsName(name) === wanted };
  }
  if (typeof r.matchPattern === 'string' && r.matchPattern !== '') {
    if (!/^[-a-zA-Z0-9_.*]+$/.test(r.matchPattern)) {
      errors.error('invalid-rule', `${field}.matchPattern`, `${r.matchPattern} may only contain DNS characters and *`);
      return undefined;
    }
    if (r.matchPattern.length > MAX_DNS_NAME) {
      errors.error('invalid-rule', `${field}.matchPattern`, `is longer than ${MAX_DNS_NAME} characters`);
      return undefined;
    }
    if (r.matchPattern === '*') return { text: '*', matches: () => true };
    const compiled = compilePattern(r.matchPattern);
    return {
      text: r.matchPattern,
      matches: (name) => {
        const n = normalizeDnsName(name);
        return !n.includes('..') && compiled.matches(n);
      },
    };
  }
  errors.error('invalid-rule', field, 'needs matchName or matchPattern');
  return undefined;
}

/** IP -> DNS names, built from what DNS answers said (name -> IPs). */
export class DnsNames {
  private readonly byIp = new Map<string, string[]>();

  constructor(namesToIps: Iterable<[string, readonly string[]]> = []) {
    for (const [name, ips] of namesToIps) for (const ip of ips) this.add(name, ip);
  }

  add(name: string, ip: string): void {
    const n = normalizeDnsName(name);
    const list = this.byIp.get(ip);
    if (!list) this.byIp.set(ip, [n]);
    else if (!list.includes(n)) list.push(n);
  }

  namesOf(ip: string): readonly string[] {
    return this.byIp.get(ip) ?? EMPTY;
  }

  get size(): number {
    return this.byIp.size;
  }
}

const EMPTY: readonly string[] = [];
