/**
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2) compiled to matchers, following the
 * Cilium policy language docs: endpoint selectors scoped to the policy's namespace unless they name one,
 * CIDR / CIDRSet (never matching cluster pods), entities, toFQDNs, toPorts with ranges and L7 rules,
 * deny sections, and per-direction default deny (enableDefaultDeny). Host policies (CCNP `nodeSelector`)
 * select nodes: they are recognised and reported as not evaluated.
 */

import type { PolicyObject } from '../k8s/types';
import { compileCidr, type CidrBlock } from './cidr';
import type { CompiledPolicy, CompiledRule, CompiledSection, Direction, PeerMatcher, RuleRef, RuleSection } from './compiled-policy';
import { addressBlockMatcher, DEFAULT_ADDRESS_SEMANTICS, type AddressSemantics } from './datapath';
import { CILIUM_NAMESPACE_LABEL, CILIUM_NAMESPACE_LABELS_PREFIX, isOutsideCluster, type Endpoint } from './endpoint';
import { compileFqdnSelector, type FqdnSelector, type NameLookup } from './fqdn';
import { compileL7Rules, type L7Rules } from './l7-rules';
import { compileSelector, type LabelSelector } from './label-selector';
import { PolicyErrorSink } from './policy-error';
import { compilePort, type PortSpec } from './ports';

/**
 * Flowsight's marker for a policy being trialled: pods it selects run in Cilium policy audit mode
 * (would-be drops are reported as AUDIT and pass). Upstream Cilium sets audit mode per agent or per
 * endpoint, not per policy; the annotation records that decision next to the policy.
 */
export const AUDIT_MODE_ANNOTATION = 'flowsight.io/policy-audit-mode';

export const CILIUM_ENTITIES = ['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'init', 'health', 'unmanaged', 'ingress'] as const;
export type CiliumEntity = (typeof CILIUM_ENTITIES)[number];

/** Selector keys may carry a label source (`k8s:app`, `any:app`); pods' labels come from the k8s source. */
export function normalizeCiliumKey(key: string): string {
  if (key.startsWith('k8s:')) return key.slice(4);
  if (key.startsWith('any:')) return key.slice(4);
  return key;
}

const inWorld = isOutsideCluster;

/**
 * Which endpoints an entity stands for (docs.cilium.io, Policy Language, "Entities Based"; the `cluster`
 * selectors are those of cilium pkg/policy/api/entity.go, InitEntities).
 */
export function entityMatcher(entity: CiliumEntity): (e: Endpoint) => boolean {
  switch (entity) {
    case 'all':
      return () => true;
    case 'world':
      return inWorld;
    case 'world-ipv4':
      return (e) => inWorld(e) && (!e.addr || e.addr.kind() === 'ipv4');
    case 'world-ipv6':
      return (e) => inWorld(e) && (!e.addr || e.addr.kind() === 'ipv6');
    case 'cluster':
      // Every endpoint of the cluster plus host, remote-node, init, health, ingress, unmanaged and
      // kube-apiserver - wherever the API server runs: an AKS API server outside the cluster is in both
      // `world` and `cluster`.
      return (e) => e.kind === 'pod' || e.kind === 'host' || e.kind === 'remote-node' || e.kind === 'kube-apiserver';
    case 'host':
      return (e) => e.kind === 'host';
    case 'remote-node':
      return (e) => e.kind === 'remote-node';
    case 'kube-apiserver':
      return (e) => e.kind === 'kube-apiserver';
    default:
      // init, health, unmanaged, ingress: identities Flowsight does not model as connection endpoints.
      return () => false;
  }
}

/**
 * toFQDNs selects the addresses the DNS proxy saw answered for a matching name: `names` holds only what the
 * subject pod's proxy learned (the engine filters it), so a pod without a DNS rule covering the name never
 * matches (docs.cilium.io, Policy Language, "DNS based": toFQDNs needs the DNS proxy to see the lookup).
 */
function fqdnMatcher(selectors: FqdnSelector[]): PeerMatcher {
  return (e, lookup: NameLookup) => {
    if (!inWorld(e) || !e.ip) return false;
    const names = lookup.namesOf(e.ip);
    for (let i = 0; i < names.length; i++) for (let j = 0; j < selectors.length; j++) if (selectors[j].matches(names[i])) return true;
    return false;
  };
}

interface Ctx {
  policy: PolicyObject;
  namespace?: string;
  errors: PolicyErrorSink;
  semantics: AddressSemantics;
}

/** An endpoint selector in a peer list: in a CNP it means the policy's namespace unless it names one. */
function endpointPeer(raw: unknown, field: string, ctx: Ctx): PeerMatcher | undefined {
  const sel = compileSelector(raw ?? {}, field, ctx.errors, normalizeCiliumKey);
  if (!sel) return undefined;
  // Mirrors Cilium's getEndpointSelector (pkg/k8s/apis/cilium.io/utils): reserved labels are used as is;
  // otherwise a CNP selector is confined to the policy's namespace unless it names the namespace or
  // namespace labels, and a CCNP selector (even `{}`) only ever matches pods, never reserved identities.
  const namesReserved = sel.keys.some((k) => k.startsWith('reserved:'));
  const namesNamespace = sel.keys.includes(CILIUM_NAMESPACE_LABEL) || sel.keys.some((k) => k.startsWith(CILIUM_NAMESPACE_LABELS_PREFIX));
  const ns = ctx.namespace;
  if (namesReserved) return (e) => sel.matches(e.ciliumLabels);
  if (ns !== undefined && !namesNamespace) return (e) => e.kind === 'pod' && e.namespace === ns && sel.matches(e.ciliumLabels);
  return (e) => e.kind === 'pod' && sel.matches(e.ciliumLabels);
}

function compilePeers(rule: Record<string, unknown>, direction: Direction, field: string, ctx: Ctx, deny: boolean): { peer: PeerMatcher; hasL3: boolean; fqdns: FqdnSelector[] } | undefined {
  const p = direction === 'ingress' ? 'from' : 'to';
  const matchers: PeerMatcher[] = [];
  let hasL3 = false;
  let selectsNothing = false;
  const list = (key: string): unknown[] | undefined => {
    const v = rule[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      ctx.errors.error('invalid-rule', `${field}.${key}`, `${key} must be a list`);
      return undefined;
    }
    // Cilium (mergeEndpointSelectors): an explicitly empty peer list selects no peer at all.
    if (v.length === 0) selectsNothing = true;
    else hasL3 = true;
    return v;
  };
  const endpoints = list(`${p}Endpoints`);
  endpoints?.forEach((sel, i) => {
    const m = endpointPeer(sel, `${field}.${p}Endpoints[${i}]`, ctx);
    if (m) matchers.push(m);
  });
  const blocks: CidrBlock[] = [];
  list(`${p}CIDR`)?.forEach((c, i) => {
    const b = compileCidr(c, [], `${field}.${p}CIDR[${i}]`, ctx.errors);
    if (b) blocks.push(b);
  });
  list(`${p}CIDRSet`)?.forEach((c, i) => {
    const set = (c ?? {}) as { cidr?: unknown; except?: unknown; cidrGroupRef?: unknown };
    if (set.cidrGroupRef !== undefined) {
      ctx.errors.warn('unsupported-field', `${field}.${p}CIDRSet[${i}].cidrGroupRef`, 'cidrGroupRef is not resolved; this entry matches nothing');
      return;
    }
    const b = compileCidr(set.cidr, set.except, `${field}.${p}CIDRSet[${i}]`, ctx.errors);
    if (b) blocks.push(b);
  });
  if (blocks.length) matchers.push(addressBlockMatcher(blocks, { datapath: 'cilium', cidrMatchesNodes: ctx.semantics.cidrMatchesNodes }));
  list(`${p}Entities`)?.forEach((ent, i) => {
    if (!(CILIUM_ENTITIES as readonly string[]).includes(String(ent))) {
      ctx.errors.error('invalid-rule', `${field}.${p}Entities[${i}]`, `unknown entity ${String(ent)} (one of ${CILIUM_ENTITIES.join(', ')})`);
      return;
    }
    matchers.push(entityMatcher(ent as CiliumEntity));
  });
  const fqdns: FqdnSelector[] = [];
  if (direction === 'egress' && !deny) {
    list('toFQDNs')?.forEach((f, i) => {
      const s = compileFqdnSelector(f, `${field}.toFQDNs[${i}]`, ctx.errors);
      if (s) fqdns.push(s);
    });
    if (fqdns.length) matchers.push(fqdnMatcher(fqdns));
  }
  for (const key of [`${p}Services`, `${p}Groups`, `${p}Nodes`, `${p}Requires`]) {
    if (list(key)) ctx.errors.warn('unsupported-field', `${field}.${key}`, `${key} is not evaluated; it matches no peer here`);
  }
  if (ctx.errors.failed) return undefined;
  if (selectsNothing) return { peer: () => false, hasL3: true, fqdns: [] };
  const peer: PeerMatcher = matchers.length === 1 ? matchers[0] : (e, names) => matchers.some((m) => m(e, names));
  return { peer, hasL3, fqdns };
}

function compileToPorts(raw: unknown, field: string, ctx: Ctx, deny: boolean): { ports: PortSpec[]; l7: L7Rules | null }[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    ctx.errors.error('invalid-rule', field, 'toPorts must be a list');
    return undefined;
  }
  const out: { ports: PortSpec[]; l7: L7Rules | null }[] = [];
  raw.forEach((pr, i) => {
    const portRule = (pr ?? {}) as { ports?: unknown; rules?: unknown };
    const ports: PortSpec[] = [];
    if (Array.isArray(portRule.ports)) {
      portRule.ports.forEach((port, j) => {
        const s = compilePort(port, `${field}[${i}].ports[${j}]`, ctx.errors, 'cilium');
        if (s) ports.push(s);
      });
    }
    if (ports.length === 0) ports.push({ protocol: 'ANY', port: 0, endPort: 65535 });
    let l7: L7Rules | null = null;
    if (!deny) {
      const compiled = compileL7Rules(portRule.rules, `${field}[${i}].rules`, ctx.errors);
      if (compiled === undefined) return;
      l7 = compiled;
    }
    out.push({ ports, l7 });
  });
  return out;
}

function compileSection(rules: unknown, section: RuleSection, direction: Direction, specIndex: number | undefined, ctx: Ctx): CompiledRule[] {
  if (!Array.isArray(rules)) return [];
  const deny = section.endsWith('Deny');
  const prefix = specIndex === undefined ? 'spec' : `specs[${specIndex}]`;
  const out: CompiledRule[] = [];
  rules.forEach((raw, i) => {
    const field = `${prefix}.${section}[${i}]`;
    const rule = (raw ?? {}) as Record<string, unknown>;
    const ref: RuleRef = { kind: ctx.policy.kind, ...(ctx.namespace ? { namespace: ctx.namespace } : {}), name: ctx.policy.name, section, rule: i, ...(specIndex !== undefined ? { spec: specIndex } : {}) };
    const peers = compilePeers(rule, direction, field, ctx, deny);
    if (!peers) return;
    const toPorts = compileToPorts(rule.toPorts, `${field}.toPorts`, ctx, deny);
    // `icmps` is an L4 selection beside `toPorts` (docs.cilium.io, Policy Language, "ICMP/ICMPv6"): the rule
    // admits ICMP (and the toPorts ports, if any), never every port. The ICMP types are not told apart.
    const icmp = rule.icmps !== undefined && rule.icmps !== null;
    if (icmp) ctx.errors.warn('unsupported-field', `${field}.icmps`, 'ICMP types are not told apart: the rule admits any ICMP to its peers');
    // A rule with neither peers nor ports selects nothing: `ingress: [{}]` is Cilium's default-deny idiom
    // (unlike a NetworkPolicy, where `ingress: [{}]` allows everything). Ports alone mean any peer.
    if (!peers.hasL3 && !toPorts && !icmp) return;
    const peer: PeerMatcher = peers.hasL3 ? peers.peer : () => true;
    const action = deny ? 'deny' : 'allow';
    const fqdns = peers.fqdns.length ? { fqdns: peers.fqdns } : {};
    if (!toPorts && !icmp) out.push({ ref, action, peer, l7: null, ...fqdns });
    for (const pr of toPorts ?? []) out.push({ ref, action, peer, ports: pr.ports, l7: pr.l7, ...fqdns });
    if (icmp) out.push({ ref, action, peer, ports: [{ protocol: 'ICMP', port: 0, endPort: 65535 }], l7: null, ...fqdns });
  });
  return out;
}

/** Says plainly, on the policy, that its host-policy specs are not evaluated (docs.cilium.io "Host Policies"). */
const HOST_POLICY_NOTE =
  'host policy: nodeSelector selects nodes, not pods. Flowsight does not evaluate host policies (Cilium enforces them only with the host firewall enabled); pod verdicts ignore this spec';

/**
 * Compiles a CNP or CCNP (with `spec` or `specs`); undefined when a field is invalid. `semantics` says
 * whether CIDR rules also select nodes (Cilium's policy-cidr-match-mode).
 */
export function compileCiliumPolicy(policy: PolicyObject, errors: PolicyErrorSink = new PolicyErrorSink(policy), semantics: AddressSemantics = DEFAULT_ADDRESS_SEMANTICS): CompiledPolicy | undefined {
  const clusterwide = policy.kind === 'CiliumClusterwideNetworkPolicy';
  const namespace = clusterwide ? undefined : policy.namespace ?? 'default';
  const ctx: Ctx = { policy, namespace, errors, semantics };
  const manifest = policy.manifest as { spec?: unknown; specs?: unknown };
  const specs: { spec: Record<string, unknown>; index?: number }[] = [];
  if (manifest.spec) specs.push({ spec: manifest.spec as Record<string, unknown> });
  if (Array.isArray(manifest.specs)) manifest.specs.forEach((s, index) => specs.push({ spec: (s ?? {}) as Record<string, unknown>, index }));
  if (specs.length === 0) {
    errors.error('invalid-rule', 'spec', 'a Cilium policy needs spec or specs');
    return undefined;
  }

  const parts: { selector: LabelSelector; ingress: CompiledSection; egress: CompiledSection }[] = [];
  let hostSpecs = 0;
  for (const { spec, index } of specs) {
    const prefix = index === undefined ? 'spec' : `specs[${index}]`;
    if (spec.nodeSelector !== undefined && spec.nodeSelector !== null) {
      // Cilium refuses both a namespaced host policy (cnp_types.go Parse: "rule cannot have NodeSelector")
      // and a rule with both selectors (pkg/policy/api rule_validation.go).
      if (!clusterwide) {
        errors.error('invalid-rule', `${prefix}.nodeSelector`, 'nodeSelector is only valid in a CiliumClusterwideNetworkPolicy: Cilium rejects this policy');
        continue;
      }
      if (spec.endpointSelector !== undefined && spec.endpointSelector !== null) {
        errors.error('invalid-rule', prefix, 'a rule cannot have both endpointSelector and nodeSelector: Cilium rejects this policy');
        continue;
      }
      if (!compileSelector(spec.nodeSelector, `${prefix}.nodeSelector`, errors, normalizeCiliumKey)) continue;
      errors.warn('unsupported-field', `${prefix}.nodeSelector`, HOST_POLICY_NOTE);
      hostSpecs++;
      continue;
    }
    const selector = compileSelector(spec.endpointSelector ?? {}, `${prefix}.endpointSelector`, errors, normalizeCiliumKey);
    if (!selector) continue;
    const enableDefaultDeny = (spec.enableDefaultDeny ?? {}) as { ingress?: unknown; egress?: unknown };
    const build = (direction: Direction): CompiledSection => {
      const allow = compileSection(spec[direction], direction, direction, index, ctx);
      const deny = compileSection(spec[`${direction}Deny`], `${direction}Deny`, direction, index, ctx);
      const hasRules = (Array.isArray(spec[direction]) && (spec[direction] as unknown[]).length > 0) || (Array.isArray(spec[`${direction}Deny`]) && (spec[`${direction}Deny`] as unknown[]).length > 0);
      // Default deny is on for each direction that has rules, unless enableDefaultDeny turns it off.
      return { isolates: hasRules && enableDefaultDeny[direction] !== false, allow, deny };
    };
    parts.push({ selector, ingress: build('ingress'), egress: build('egress') });
  }
  if (errors.failed) return undefined;

  const merge = (direction: Direction): CompiledSection | undefined => {
    const sections = parts.map((p) => p[direction]).filter((s) => s.isolates || s.allow.length || s.deny.length);
    if (!sections.length) return undefined;
    return { isolates: sections.some((s) => s.isolates), allow: sections.flatMap((s) => s.allow), deny: sections.flatMap((s) => s.deny) };
  };
  // With several specs selecting different pods, each spec's rules apply to its own pods only.
  if (parts.length > 1 && new Set(parts.map((p) => p.selector)).size > 1) {
    errors.warn('unsupported-field', 'specs', 'specs with different endpointSelectors are evaluated as one policy selecting the union of their pods');
  }
  const ingress = merge('ingress');
  const egress = merge('egress');
  const ns = namespace;
  return {
    ref: { kind: policy.kind, ...(ns ? { namespace: ns } : {}), name: policy.name },
    ...(ns ? { namespace: ns } : {}),
    ...(parts.length === 0 && hostSpecs > 0 ? { hostPolicy: true } : {}),
    selects: (pod) => (ns === undefined || pod.namespace === ns) && parts.some((p) => p.selector.matches(pod.ciliumLabels)),
    ...(ingress ? { ingress } : {}),
    ...(egress ? { egress } : {}),
    audit: policy.annotations[AUDIT_MODE_ANNOTATION] === 'true',
  };
}
