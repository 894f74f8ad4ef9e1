/**
 * Cilium FQDN selectors (`toFQDNs`, DNS L7 rules): matchName / matchPattern, compiled once to a
 * linear-time wildcard. Cilium learns the IPs of a name from the DNS answers its proxy sees; Flowsight
 * does the same from the DNS answers in observed flows, given to the engine as a name -> IPs map
 * (`DnsNames`). Which of those names a pod's proxy would have learned is the engine's question.
 */

import { normalizeDnsName } from '../match/dns-name';
import { DNS_LABEL_CHARS, DNS_NAME_CHARS, literal, one, run, Wildcard, type WildcardToken } from '../match/wildcard';
import type { PolicyErrorSink } from './policy-error';

export interface FqdnSelector {
  readonly text: string;
  /** A name the selector matches (`x.` stands in for wildcards): what a check "is this name learned?" asks about. */
  readonly example: string;
  matches(name: string): boolean;
}

/** Names known for an address: every DNS answer seen, or only those one pod's DNS proxy would have learned. */
export interface NameLookup {
  namesOf(ip: string): readonly string[];
}


// Cilium's matchpattern (pkg/fqdn/matchpattern/matchpattern.go, ToAnchoredRegexp):
// - a pattern of stars only, optionally ending in a dot (`*`, `**`, `***.`, `*.`), matches every name;
// - two or more leading stars followed by a dot (`**.`, `***.`) match one or more whole labels
//   (multi-level subdomains, Cilium 1.19+: Documentation/operations/upgrade.rst, 1.19 upgrade notes);
// - any other run of stars (`*`, a `**` inside the pattern) stands for zero or more label characters
//   `[-a-zA-Z0-9_]`, never a dot: `*.example.com` matches `a.example.com` but neither `example.com`
//   nor `a.b.example.com`.
// Matched with the linear-time wildcard matcher: policies come from users, and `*a*a*a*...` on a
// backtracking regex would freeze the server.
/** Cilium's MaxFQDNLength for matchName and matchPattern. */
const MAX_FQDN_LENGTH = 255;

/** `*`, `**`, `***.`: Cilium's isDNSWildcard, a pattern that selects every name. */
export function isMatchAll(pattern: string): boolean {
  const p = pattern.endsWith('.') ? pattern.slice(0, -1) : pattern;
  return p.length > 0 && /^\*+$/.test(p);
}

/** Length of a leading `**.` / `***.` (the stars and the dot), or 0. */
function multiLabelPrefix(pattern: string): number {
  let stars = 0;
  while (stars < pattern.length && pattern[stars] === '*') stars++;
  return stars >= 2 && pattern[stars] === '.' ? stars + 1 : 0;
}

function compilePattern(pattern: string): { wildcard: Wildcard; example: string } {
  let p = normalizeDnsName(pattern);
  const tokens: WildcardToken[] = [];
  let example = '';
  const prefix = multiLabelPrefix(p);
  if (prefix > 0) {
    // One or more whole labels, each followed by its dot (names with empty labels are refused by the caller).
    tokens.push(one(DNS_LABEL_CHARS), run(DNS_NAME_CHARS), ...literal('.'));
    example = 'x.';
    p = p.slice(prefix);
  }
  for (const ch of p) {
    if (ch !== '*') {
      tokens.push(...literal(ch));
      example += ch;
    } else if (tokens.at(-1)?.kind !== 'run') {
      tokens.push(run(DNS_LABEL_CHARS));
      example += 'x';
    }
  }
  return { wildcard: new Wildcard(tokens, pattern), example };
}

const MATCH_ALL_EXAMPLE = 'example.com';

/** Compiles one `{matchName}` / `{matchPattern}` entry. */
export function compileFqdnSelector(raw: unknown, field: string, errors: PolicyErrorSink): FqdnSelector | undefined {
  const r = (raw ?? {}) as { matchName?: unknown; matchPattern?: unknown };
  if (typeof r.matchName === 'string' && r.matchName.trim() !== '') {
    const name = r.matchName.trim();
    if (!/^[-a-zA-Z0-9_.]+$/.test(name)) {
      errors.error('invalid-rule', `${field}.matchName`, `${r.matchName} is not a DNS name`);
      return undefined;
    }
    if (name.length > MAX_FQDN_LENGTH) {
      errors.error('invalid-rule', `${field}.matchName`, `is longer than ${MAX_FQDN_LENGTH} characters`);
      return undefined;
    }
    const wanted = normalizeDnsName(name);
    return { text: r.matchName, example: wanted, matches: (n) => normalizeDnsName(n) === wanted };
  }
  if (typeof r.matchPattern === 'string' && r.matchPattern.trim() !== '') {
    const pattern = r.matchPattern.trim();
    if (!/^[-a-zA-Z0-9_.*]+$/.test(pattern)) {
      errors.error('invalid-rule', `${field}.matchPattern`, `${r.matchPattern} may only contain DNS characters and *`);
      return undefined;
    }
    if (pattern.length > MAX_FQDN_LENGTH) {
      errors.error('invalid-rule', `${field}.matchPattern`, `is longer than ${MAX_FQDN_LENGTH} characters`);
      return undefined;
    }
    if (isMatchAll(pattern)) return { text: r.matchPattern, example: MATCH_ALL_EXAMPLE, matches: () => true };
    const { wildcard, example } = compilePattern(pattern);
    return {
      text: r.matchPattern,
      example,
      matches: (name) => {
        const n = normalizeDnsName(name);
        return !n.includes('..') && wildcard.matches(n);
      },
    };
  }
  errors.error('invalid-rule', field, 'needs matchName or matchPattern');
  return undefined;
}

/** IP -> DNS names, built from what DNS answers said (name -> IPs). */
export class DnsNames implements NameLookup {
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
