/**
 * What `flowsight evaluate --azure DIR --probes FILE` and `flowsight findings --azure DIR` call.
 * The commands (bin/commands) parse flags and print; validation and evaluation live here.
 */

import { z } from 'zod';
import { azureFindings as findingsOf, type AzureFindingsOptions } from '../../lib/posture/azure-findings';
import { evaluateAzureFlow, type AzureFlowLayers } from '../../lib/azure-rules/azure-flow-layers';
import { isIp } from '../../lib/net/ip';
import { firstAssignableAddress } from '../../lib/azure-rules/azure-address';
import { topologyOf, type AzureTopology } from '../../lib/azure-rules/azure-topology';
import type { Finding } from '../../lib/posture/finding';
import type { AzureSnapshot } from '../../lib/azure/types';

export { loadAzureDir } from '../../lib/azure/files-source';
export { azureSourceFromEnv } from '../../lib/azure/source-from-env';

const PROTOCOLS = ['TCP', 'UDP', 'ICMP'] as const;

const probeSchema = z
  .object({
    from: z.string().min(1, 'must name an IP, "Internet" or a subnet'),
    to: z.string().min(1, 'must name an IP, "Internet" or a subnet'),
    port: z.number().int().min(0).max(65535),
    protocol: z
      .string()
      .default('TCP')
      .transform((p, ctx) => {
        const up = p.toUpperCase();
        if (!(PROTOCOLS as readonly string[]).includes(up)) {
          ctx.addIssue({ code: 'custom', message: `expected TCP, UDP or ICMP, got "${p}"` });
          return z.NEVER;
        }
        return up as (typeof PROTOCOLS)[number];
      }),
    fqdn: z.string().min(1).optional(),
  })
  .strict();

export type AzureProbe = z.output<typeof probeSchema>;

export interface ProbeIssue {
  index: number;
  field: string;
  message: string;
}

/** Bad probe input; `issues` names every bad probe by index and field. */
export class AzureProbeInputError extends Error {
  readonly code = 'invalid-probe';
  constructor(readonly issues: ProbeIssue[]) {
    super(issues.map((i) => `probe #${i.index}${i.field ? ` field "${i.field}"` : ''}: ${i.message}`).join('; '));
    this.name = 'AzureProbeInputError';
  }
}

export interface ResolvedEndpoint {
  /** As written in the probe. */
  given: string;
  ip: string;
  /** How the IP was chosen: the IP itself, a subnet's first assignable address, a NIC, or the internet stand-in. */
  resolvedFrom: 'ip' | 'subnet' | 'nic' | 'internet';
  subnet?: string;
}

export interface AzureProbeResult {
  index: number;
  probe: AzureProbe;
  from: ResolvedEndpoint;
  to: ResolvedEndpoint;
  /** Per-layer verdicts with deciding rules; `verdict` combines them. */
  layers: AzureFlowLayers;
  verdict: AzureFlowLayers['verdict'];
}

/** A documentation address (RFC 5737) standing for "a host on the internet" in probes. */
export const INTERNET_STAND_IN = '203.0.113.10';

/** Validates probes (an array, or `{ probes: [...] }`) and answers each with NSG and firewall verdicts. */
export function evaluateAzureProbes(snapshot: AzureSnapshot, probes: unknown): AzureProbeResult[] {
  const list = parseProbes(probes);
  const topology = topologyOf(snapshot);
  const unresolved: ProbeIssue[] = [];
  const resolved = list.map((probe, index) => {
    const from = resolveEndpoint(topology, probe.from);
    const to = resolveEndpoint(topology, probe.to);
    if (!from) unresolved.push({ index, field: 'from', message: `"${probe.from}" is not an IP, "Internet", a subnet or a NIC in the Azure input` });
    if (!to) unresolved.push({ index, field: 'to', message: `"${probe.to}" is not an IP, "Internet", a subnet or a NIC in the Azure input` });
    return { probe, from, to };
  });
  if (unresolved.length) throw new AzureProbeInputError(unresolved);
  return resolved.map(({ probe, from, to }, index) => {
    const layers = evaluateAzureFlow(snapshot, {
      sourceIp: from!.ip,
      destinationIp: to!.ip,
      destinationPort: probe.port,
      protocol: probe.protocol,
      fqdn: probe.fqdn,
    });
    return { index, probe, from: from!, to: to!, layers, verdict: layers.verdict };
  });
}

function parseProbes(input: unknown): AzureProbe[] {
  const raw = typeof input === 'object' && input !== null && !Array.isArray(input) && 'probes' in input ? (input as { probes: unknown }).probes : input;
  if (!Array.isArray(raw)) throw new AzureProbeInputError([{ index: 0, field: '', message: 'expected an array of probes or { "probes": [...] }' }]);
  const issues: ProbeIssue[] = [];
  const out: AzureProbe[] = [];
  raw.forEach((p, index) => {
    const r = probeSchema.safeParse(p);
    if (r.success) out.push(r.data);
    else for (const i of r.error.issues) issues.push({ index, field: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : ''), message: i.message });
  });
  if (issues.length) throw new AzureProbeInputError(issues);
  return out;
}

function resolveEndpoint(topology: AzureTopology, given: string): ResolvedEndpoint | undefined {
  const g = given.trim();
  if (g.toLowerCase() === 'internet') return { given, ip: INTERNET_STAND_IN, resolvedFrom: 'internet' };
  if (isIp(g)) return { given, ip: g, resolvedFrom: 'ip', subnet: topology.subnetOf(g)?.name };
  const subnet = topology.subnetByName(g);
  const subnetIp = subnet?.addressPrefixes.map(firstAssignableAddress).find(Boolean);
  if (subnet && subnetIp) return { given, ip: subnetIp, resolvedFrom: 'subnet', subnet: subnet.name };
  const nic = topology.snapshot.networkInterfaces.find((n) => n.name.toLowerCase() === g.toLowerCase());
  const nicIp = nic?.ipConfigurations.find((c) => c.privateIp)?.privateIp;
  if (nic && nicIp) return { given, ip: nicIp, resolvedFrom: 'nic', subnet: topology.subnetOf(nicIp)?.name };
  return undefined;
}

/** Azure findings for `flowsight findings --azure DIR` (same shape and ordering as policy findings). */
export function azureFindings(snapshot: AzureSnapshot, opts?: AzureFindingsOptions): Finding[] {
  return findingsOf(snapshot, opts);
}
