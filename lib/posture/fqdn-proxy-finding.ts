/**
 * Finding `fqdn-without-dns-proxy`: a toFQDNs rule that can never allow anything for a workload, because
 * the workload's DNS lookups do not go through Cilium's DNS proxy (or the proxy refuses the name). Cilium
 * fills toFQDNs selectors only with addresses its proxy saw answered (docs.cilium.io, Policy Language,
 * "DNS based"); an L4 allow of UDP/53 to kube-dns never reaches the proxy. The connection fails closed
 * (dropped), which breaks the workload rather than exposing it.
 */

import type { Finding, ObjectRef } from './finding';
import type { CompiledPolicy, CompiledRule } from '../policy-engine/compiled-policy';
import type { PodEndpoint } from '../policy-engine/endpoint';
import type { PolicyEngine } from '../policy-engine/engine';
import type { FqdnSelector } from '../policy-engine/fqdn';
import { manifestsYaml } from './fix-manifests';
import { stableLabels, workloadRef, workloadsOf, type Workload } from './workloads';

/** Observed names checked per selector, besides its example: enough to see partial coverage, bounded. */
const MAX_OBSERVED_NAMES = 20;
const KUBE_DNS_PEER = { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' };

/** The DNS-proxy rule the docs pair with toFQDNs: lookups to kube-dns through the proxy (`*` keeps every lookup working). */
function dnsProxyPolicy(w: Workload): Record<string, unknown> {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: `${w.name}-dns-proxy`, namespace: w.namespace },
    spec: {
      endpointSelector: { matchLabels: stableLabels(w) },
      egress: [{ toEndpoints: [{ matchLabels: KUBE_DNS_PEER }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
    },
  };
}

/** The names a selector is checked with: its example and the observed names it matches. */
function namesToCheck(selector: FqdnSelector, observed: readonly string[]): string[] {
  const names = [selector.example];
  for (const n of observed) {
    if (names.length > MAX_OBSERVED_NAMES) break;
    if (n !== selector.example && selector.matches(n)) names.push(n);
  }
  return names;
}

/** Why the pod's proxy does not learn `name`, from its DNS path to kube-dns. */
function whyNotLearned(engine: PolicyEngine, pod: PodEndpoint, kubeDns: PodEndpoint | undefined, name: string): string {
  if (!kubeDns) return 'no egress rule with rules.dns on port 53 lets the lookup through the DNS proxy';
  const v = engine.evaluateEndpoints(pod, kubeDns, 53, 'UDP', { dns: { query: name } }).egress;
  if (v.reason === 'l7-denied') return `its DNS rules (${v.by.map((b) => `${b.name} ${b.section}[${b.rule}]`).join(', ')}) do not cover ${name}`;
  if (v.allowed) return `DNS to kube-dns is allowed at L4 only${v.by.length ? ` (${v.by.map((b) => `${b.name} ${b.section}[${b.rule}]`).join(', ')})` : ''}, so lookups never reach the DNS proxy`;
  return 'its DNS lookups to kube-dns are not allowed at all';
}

const policyObject = (p: CompiledPolicy): ObjectRef => ({ kind: p.ref.kind, ...(p.ref.namespace ? { namespace: p.ref.namespace } : {}), name: p.ref.name });

/** One finding per policy whose toFQDNs rules cannot match for some of the workloads it selects. */
export function fqdnWithoutDnsProxyFindings(engine: PolicyEngine, dnsAnswers: Record<string, readonly string[]> = {}): Finding[] {
  const observed = Object.keys(dnsAnswers);
  const kubeDns = engine.pods().find((p) => p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns');
  const findings: Finding[] = [];
  for (const policy of engine.policies()) {
    const fqdnRules = (policy.egress?.allow ?? []).filter((r): r is CompiledRule & { fqdns: readonly FqdnSelector[] } => !!r.fqdns?.length);
    if (fqdnRules.length === 0) continue;
    const affected: { workload: Workload; text: string }[] = [];
    for (const w of workloadsOf(engine.selectedPods(policy.ref))) {
      const pod = w.pods[0];
      // Not isolated for egress: the addresses pass anyway, whatever toFQDNs learns.
      if (!engine.isolation(pod).egress) continue;
      const unlearned: string[] = [];
      let example: string | undefined;
      const seen = new Set<string>();
      for (const rule of fqdnRules) {
        for (const selector of rule.fqdns) {
          if (seen.has(selector.text)) continue;
          seen.add(selector.text);
          const names = namesToCheck(selector, observed);
          if (names.some((n) => engine.dnsProxyLearns(pod, n))) continue;
          unlearned.push(`${selector.text} (egress[${rule.ref.rule}])`);
          example ??= names[0];
        }
      }
      if (unlearned.length === 0) continue;
      affected.push({ workload: w, text: `${w.namespace}/${w.name}: toFQDNs ${unlearned.join(', ')} never match, because ${whyNotLearned(engine, pod, kubeDns, example!)}.` });
    }
    if (affected.length === 0) continue;
    const ns = policy.namespace;
    findings.push({
      id: 'fqdn-without-dns-proxy',
      key: `fqdn-without-dns-proxy:${ns ?? ''}/${policy.ref.name}`,
      severity: 'medium',
      title: `toFQDNs without a DNS proxy rule: ${policy.ref.name} allows names whose addresses Cilium never learns`,
      ...(ns ? { namespace: ns } : {}),
      objects: [policyObject(policy), ...affected.map((a) => workloadRef(a.workload))],
      evidence: [
        ...affected.map((a) => ({ text: a.text, objects: [policyObject(policy)] })),
        {
          text: 'Cilium allows toFQDNs destinations only at addresses its DNS proxy saw answered, so connections to these names are dropped. They pass only by chance: the agent shares learned names per node, so another pod on the same node resolving the name through the proxy lets them through until the answer expires.',
        },
      ],
      fix: {
        text: 'Send the workload\'s DNS lookups through the DNS proxy: allow port 53 to kube-dns with an L7 rules.dns rule covering the names (the docs pair every toFQDNs rule with one). `*` keeps every lookup working; list the names instead to also restrict DNS.',
        yaml: manifestsYaml(...affected.map((a) => dnsProxyPolicy(a.workload))),
      },
    });
  }
  return findings;
}
