/**
 * FQDN matching as Azure Firewall application rules do it, and the FQDN tags Flowsight can expand.
 * Azure's wildcard is leftmost only: `*.contoso.com` matches any depth of subdomain but not the apex
 * `contoso.com` (list both), `*` matches every name (firewall/rule-processing.md, policy-rule-sets.md).
 * Names compare case-insensitively and without a trailing dot (Cilium reports `api.stripe.com.`).
 */

import { normalizeDnsName } from '../match/dns-name';
import { ANY_CHAR, charClass, literal, one, run, Wildcard, type WildcardToken } from '../match/wildcard';

/** Compiled target FQDNs: a firewall has a few hundred, and every evaluated flow asks each of them. */
const MAX_COMPILED = 10_000;
const compiled = new Map<string, Wildcard>();

/** Whether an application-rule target FQDN matches a name; `<location>` stands for one DNS label. */
export function fqdnMatches(pattern: string, name: string): boolean {
  const n = normalizeDnsName(name);
  if (!n) return false;
  let w = compiled.get(pattern);
  if (!w) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, (w = targetFqdnPattern(normalizeDnsName(pattern))));
  }
  return w.matches(n);
}

/**
 * Azure's target FQDN: a leading `*` stands for one or more characters of any kind (so `*.contoso.com`
 * takes any depth of subdomain but not the apex), a `*` elsewhere is itself, and `<location>` is one label.
 */
function targetFqdnPattern(p: string): Wildcard {
  if (p.includes('<')) return placeholderPattern(p);
  if (p.startsWith('*')) return new Wildcard([one(ANY_CHAR), run(ANY_CHAR), ...literal(p.slice(1))], p);
  return new Wildcard(literal(p), p);
}

const LABEL = charClass('-', ['a', 'z'], ['0', '9']);

/**
 * `<location>` stands for one DNS label and `*` for one or more characters. Matched in linear time:
 * target FQDNs come from exported firewall policies, so a hostile `*.*.*...` must not backtrack.
 */
function placeholderPattern(pattern: string): Wildcard {
  const tokens: WildcardToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const close = pattern[i] === '<' ? pattern.indexOf('>', i) : -1;
    if (close > i) {
      tokens.push(one(LABEL), run(LABEL));
      i = close;
    } else if (pattern[i] === '*') {
      tokens.push(one(ANY_CHAR), run(ANY_CHAR));
    } else {
      tokens.push(...literal(pattern[i]));
    }
  }
  return new Wildcard(tokens, pattern);
}

/**
 * The FQDNs behind the AzureKubernetesService FQDN tag. Microsoft does not publish the tag's contents;
 * the tag exists to allow AKS's required egress, so we expand it to the documented list of required
 * FQDN / application rules for Azure Global:
 * learn.microsoft.com/azure/aks/outbound-rules-control-egress ("Azure Global required FQDN / application
 * rules"; MicrosoftDocs/azure-aks-docs articles/aks/outbound-rules-control-egress.md).
 * `packages.aks.azure.com` replaces `acs-mirror.azureedge.net` in newer node images (AgentBaker checks
 * https://packages.aks.azure.com/acs-mirror/healthz); both are kept.
 */
export const AKS_REQUIRED_FQDNS: readonly string[] = [
  '*.hcp.<location>.azmk8s.io',
  'mcr.microsoft.com',
  '*.data.mcr.microsoft.com',
  'mcr-0001.mcr-msedge.net',
  'management.azure.com',
  'login.microsoftonline.com',
  'packages.microsoft.com',
  'acs-mirror.azureedge.net',
  'packages.aks.azure.com',
];

/** FQDN tags expanded offline; tag names compare case-insensitively. */
export const FQDN_TAGS: Readonly<Record<string, readonly string[]>> = {
  azurekubernetesservice: AKS_REQUIRED_FQDNS,
};

/**
 * The FQDN patterns of a tag, with `<location>` filled in when the firewall's region is known.
 * Undefined for tags we cannot expand (WindowsUpdate, AzureBackup, ...).
 */
export function expandFqdnTag(tag: string, location?: string): string[] | undefined {
  const list = FQDN_TAGS[tag.trim().toLowerCase()];
  if (!list) return undefined;
  return list.map((p) => (location ? p.replace('<location>', location.toLowerCase().replace(/\s+/g, '')) : p));
}

/** How much of the internet a target FQDN opens: `*` everything, `*.com` a whole TLD. */
export function fqdnBreadth(pattern: string): 'everything' | 'top-level-domain' | 'domain' | 'exact' {
  const p = normalizeDnsName(pattern);
  if (p === '*') return 'everything';
  if (!p.startsWith('*')) return 'exact';
  const labels = p.slice(1).split('.').filter(Boolean);
  return labels.length <= 1 ? 'top-level-domain' : 'domain';
}
