/**
 * `flowsight evaluate`: checks connections against the cluster's policies, for pipelines and for
 * checking the engine. `--probes FILE` evaluates listed connections; `--matrix` prints the allow matrix
 * of every pod pair on the given ports. With `--azure DIR` the probes are node-level and answered by the
 * Azure layers instead (NSG and firewall, each with its deciding rule).
 */

import { type Command, Option } from 'commander';
import { z } from 'zod';
import { type PolicyEngine, type ConnectionVerdict, type DirectionVerdict, type FlowVerdict } from '../../lib/policy-engine/engine';
import type { Direction, PolicyRef } from '../../lib/policy-engine/compiled-policy';
import { parsePeerRef } from '../../lib/policy-engine/peer-ref';
import { describeServiceConnection, evaluateConnection, type ConnectionEvaluation } from '../../lib/policy-engine/service-connection';
import type { Protocol } from '../../lib/policy-engine/ports';
import { AzureProbeInputError, evaluateAzureProbes, type AzureProbeResult } from './azure-support';
import { describeFirewallRule, describeNsgRule } from '../../lib/layers/three-layers';
import {
  addAzureInputOptions,
  addClusterInputOptions,
  datapathLine,
  PARTIAL_LINE,
  formatAzureSourceError,
  hasAzureInput,
  hasClusterInput,
  loadAzureInput,
  loadClusterEngine,
  readInputFile,
  runCommand,
  UsageError,
  warn,
  writeOut,
  type AzureInputOptions,
  type ClusterInputOptions,
} from './cluster-input';

interface EvaluateOptions extends ClusterInputOptions, AzureInputOptions {
  probes?: string;
  matrix?: boolean;
  ports: string;
  namespace?: string;
  dns?: string;
  output: 'json' | 'table';
}

const protocol = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['TCP', 'UDP', 'SCTP']));

const probeSchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  protocol: protocol.default('TCP'),
  l7: z
    .object({
      http: z.object({ method: z.string(), path: z.string(), host: z.string().optional(), headers: z.record(z.string(), z.string()).optional() }).optional(),
      dns: z.object({ query: z.string() }).optional(),
    })
    .optional(),
});
type Probe = z.infer<typeof probeSchema>;

async function readJson(path: string, flag: string): Promise<unknown> {
  const text = await readInputFile(path, flag);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag}: ${path} is not JSON: ${(e as Error).message}`);
  }
}

async function readProbes(path: string): Promise<Probe[]> {
  const parsed = z.array(probeSchema).safeParse(await readJson(path, '--probes'));
  if (!parsed.success) {
    throw new UsageError(`--probes ${path}: ${parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** `80/tcp,53/udp` -> [[80,'TCP'],[53,'UDP']]. */
export function parsePortList(text: string): [number, Protocol][] {
  return text.split(',').map((part) => {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(part.trim());
    const port = m ? Number(m[1]) : NaN;
    if (!m || port < 1 || port > 65535) throw new UsageError(`--ports: ${part} is not PORT or PORT/PROTOCOL (tcp, udp, sctp)`);
    return [port, (m[2] ?? 'tcp').toUpperCase() as Protocol];
  });
}

const policyText = (p: PolicyRef) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;

/** One sentence on what decided one side; on a default deny it names the policies that isolate the pod. */
export function decisionText(direction: Direction, d: DirectionVerdict): string {
  const by = d.by.map((b) => `${policyText(b)} ${b.section}[${b.rule}]`).join(', ');
  switch (d.reason) {
    case 'default-deny':
      return `isolated for ${direction} by ${(d.isolatedBy ?? []).map(policyText).join(', ') || 'a policy'} with no rule allowing this connection (default deny)`;
    case 'not-isolated':
      return `no policy isolates this pod for ${direction}: default allow`;
    case 'allowed':
      return `allowed by ${by}`;
    case 'denied':
      return `denied by ${by} (deny rules win over any allow)`;
    case 'l7-denied':
      return `the L7 rules of ${by} do not admit this request`;
    case 'host-always-allowed':
      return 'the local node always reaches its pods';
    case 'not-a-pod':
      return `not a pod: no pod ${direction} policy applies`;
    case 'reply':
      return 'reply of an allowed connection';
  }
}

/**
 * One side as JSON. `by` lists the rules that decided; on a default deny no rule did, so it lists the
 * policies that isolate the pod (`"action": "isolate"`, no rule index): they are what denied it.
 */
const directionJson = (direction: Direction, d: DirectionVerdict) => ({
  allowed: d.allowed,
  isolated: d.isolated,
  reason: d.reason,
  decision: decisionText(direction, d),
  ...(d.audit ? { audit: true } : {}),
  ...(d.l7Filtered ? { l7Filtered: true } : {}),
  by:
    d.reason === 'default-deny'
      ? (d.isolatedBy ?? []).map((p) => ({ kind: p.kind, namespace: p.namespace ?? '', name: p.name, section: direction, action: 'isolate' as const }))
      : d.by.map((b) => ({ kind: b.kind, namespace: b.namespace ?? '', name: b.name, rule: b.rule, section: b.section, action: b.action, ...(b.spec !== undefined ? { spec: b.spec } : {}), ...(b.l7Rule !== undefined ? { l7Rule: b.l7Rule } : {}) })),
});

const verdictJson = (v: ConnectionVerdict) => ({
  allowed: v.allowed,
  verdict: v.verdict,
  ...(v.enforcedAt ? { enforcedAt: v.enforcedAt } : {}),
  egress: directionJson('egress', v.egress),
  ingress: directionJson('ingress', v.ingress),
});

type ProbeResult = Exclude<ConnectionEvaluation, { kind: 'error' }>;

/** A Service probe: allowed only when every backend allows it; `outcome` says partly-allowed / none-allowed / no-backends. */
function probeJson(r: ProbeResult) {
  if (r.kind === 'endpoints') return verdictJson(r.verdict);
  const s = r.verdict;
  return {
    allowed: s.allowed,
    verdict: s.verdict,
    outcome: s.outcome,
    service: s.service,
    summary: s.summary,
    backends: s.backends.map((b) => ({ backend: b.name, port: b.port, ...verdictJson(b.verdict) })),
    ...(s.skipped.length ? { skipped: s.skipped } : {}),
  };
}

function probeText(probe: Probe, r: ProbeResult): string {
  const head = `${probe.from} -> ${probe.to} ${probe.port}/${probe.protocol}`;
  const sides = (v: ConnectionVerdict, indent: string) => `${indent}egress:  ${directionText('egress', v.egress)}\n${indent}ingress: ${directionText('ingress', v.ingress)}`;
  if (r.kind === 'endpoints') return `${head}: ${r.verdict.verdict}\n${sides(r.verdict, '  ')}`;
  const s = r.verdict;
  const lines = [`${head}: ${s.verdict} (${s.outcome})`, `  ${describeServiceConnection(s)}: ${s.summary}`];
  for (const b of s.backends) lines.push(`  backend ${b.name} on ${b.port}/${probe.protocol}: ${b.verdict.verdict}`, sides(b.verdict, '    '));
  for (const k of s.skipped) lines.push(`  not a backend: ${k.backend} ${k.reason}`);
  return lines.join('\n');
}

const directionText = (direction: Direction, d: DirectionVerdict) => `${d.allowed ? 'allow' : 'deny'} (${d.reason}: ${decisionText(direction, d)})`;

export function register(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('Evaluate connections against the cluster policies (NetworkPolicy, CiliumNetworkPolicy, CCNP)')
    .option('--probes <file>', 'JSON list of {"from","to","port","protocol","l7"} to evaluate; "to" may be a Service (name.namespace.svc or its ClusterIP)')
    .option('--matrix', 'print the allow matrix of every pod pair')
    .option('--ports <list>', 'ports for --matrix, e.g. 80/tcp,53/udp', '80/tcp')
    .option('--namespace <ns>', 'limit --matrix to pods of one namespace')
    .option('--dns <file>', 'JSON object of DNS name -> IPs, for toFQDNs rules')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'table']).default('table'));
  addAzureInputOptions(addClusterInputOptions(cmd)).action((o: EvaluateOptions) => runCommand(() => evaluate(o)));
}

async function evaluate(o: EvaluateOptions): Promise<number> {
  if (hasAzureInput(o)) return evaluateAzure(o);
  if (!!o.probes === !!o.matrix) throw new UsageError('choose one of --probes FILE or --matrix');
  const ports = o.matrix ? parsePortList(o.ports) : [];
  const probes = o.probes ? await readProbes(o.probes) : [];
  let dns: Record<string, string[]> = {};
  if (o.dns) {
    const parsed = z.record(z.string(), z.array(z.string())).safeParse(await readJson(o.dns, '--dns'));
    if (!parsed.success) throw new UsageError(`--dns ${o.dns}: expected {"name": ["ip", ...]}`);
    dns = parsed.data;
  }
  const { engine, partial } = await loadClusterEngine(o, dns);

  if (o.matrix) return printMatrix(engine, ports, o, partial);

  const results: { probe: Probe; result: ProbeResult }[] = [];
  for (const [i, probe] of probes.entries()) {
    const from = parsePeerRef(probe.from);
    const to = parsePeerRef(probe.to);
    if ('error' in from) throw new UsageError(`probe ${i}: from ${from.error}`);
    if ('error' in to) throw new UsageError(`probe ${i}: to ${to.error}`);
    // A Service (DNS name or ClusterIP) is evaluated at each backend, on its target port.
    const r = evaluateConnection(engine, { from, to, port: probe.port, protocol: probe.protocol, ...(probe.l7 ? { l7: probe.l7 } : {}) });
    if (r.kind === 'error') throw new UsageError(`probe ${i}: ${r.error.message}`);
    results.push({ probe, result: r });
  }
  const datapath = engine.datapath.datapath;
  if (o.output === 'json') {
    writeOut(JSON.stringify(results.map(({ probe, result }) => ({ probe, datapath, ...(partial ? { partial } : {}), ...probeJson(result) })), null, 2));
  } else {
    if (partial) writeOut(PARTIAL_LINE);
    writeOut(datapathLine(engine.datapath));
    for (const { probe, result } of results) writeOut(probeText(probe, result));
  }
  return 0;
}

function printMatrix(engine: PolicyEngine, ports: [number, Protocol][], o: EvaluateOptions, partial: boolean): number {
  const pods = engine.pods().filter((p) => !o.namespace || p.namespace === o.namespace);
  const names = pods.map((p) => `${p.namespace}/${p.name}`);
  const grids: Record<string, FlowVerdict[][]> = {};
  for (const [port, proto] of ports) {
    // A: allowed, D: dropped, U: audit (would be dropped once enforced)
    grids[`${port}/${proto}`] = pods.map((src) => pods.map((dst) => engine.evaluateEndpoints(src, dst, port, proto).verdict));
  }
  if (o.output === 'json') {
    writeOut(JSON.stringify({ ...(partial ? { partial } : {}), datapath: engine.datapath, pods: names, ports: Object.keys(grids), matrix: Object.fromEntries(Object.entries(grids).map(([k, g]) => [k, g.map((row) => row.map((v) => v !== 'DROPPED'))])), verdicts: grids }, null, 2));
    return 0;
  }
  if (partial) writeOut(PARTIAL_LINE);
  writeOut(datapathLine(engine.datapath));
  const letter = { FORWARDED: 'A', DROPPED: '.', AUDIT: 'U' } as const;
  const width = Math.max(...names.map((n) => n.length), 4);
  for (const [key, grid] of Object.entries(grids)) {
    writeOut(`${key}  (rows: source, columns: destination; A allowed, . dropped, U audit)`);
    writeOut(`${''.padEnd(width)}  ${names.map((_, i) => String(i % 10)).join('')}`);
    grid.forEach((row, i) => writeOut(`${names[i].padEnd(width)}  ${row.map((v) => letter[v]).join('')}  ${i}`));
  }
  return 0;
}

/** Node-level probes against the Azure layers: `{"from","to","port","protocol","fqdn"}` with IPs, "Internet", subnet or NIC names. */
async function evaluateAzure(o: EvaluateOptions): Promise<number> {
  if (hasClusterInput(o)) throw new UsageError('--azure probes are node-level; evaluate cluster probes (--manifests / --demo) in a separate run');
  if (o.matrix || !o.probes) throw new UsageError('--azure needs --probes FILE (a JSON list of {"from","to","port","protocol","fqdn"})');
  const raw = await readJson(o.probes, '--probes');
  const { snapshot, warnings, partial } = await loadAzureInput(o);
  warn(warnings.map(formatAzureSourceError));
  if (partial && o.output !== 'json') writeOut(PARTIAL_LINE);
  let results: AzureProbeResult[];
  try {
    results = evaluateAzureProbes(snapshot, raw);
  } catch (e) {
    if (e instanceof AzureProbeInputError) throw new UsageError(`--probes ${o.probes}: ${e.message}`);
    throw e;
  }
  if (o.output === 'json') {
    writeOut(JSON.stringify(results.map((r) => ({ ...(partial ? { partial } : {}), ...azureProbeJson(r) })), null, 2));
    return 0;
  }
  for (const r of results) {
    const p = r.probe;
    writeOut(`${p.from} -> ${p.to} ${p.port}/${p.protocol}${p.fqdn ? ` (${p.fqdn})` : ''}: ${r.verdict}`);
    writeOut(`  nsg:      ${r.layers.nsg.verdict}${r.layers.nsg.decidingRule ? ` by ${describeNsgRule(r.layers.nsg.decidingRule)}` : ''} - ${r.layers.nsg.reason}`);
    const fw = r.layers.firewall;
    writeOut(`  firewall: ${fw.verdict}${fw.decidingRule ? ` by ${describeFirewallRule(fw.decidingRule)}` : ''} - ${fw.reason}`);
  }
  return 0;
}

function azureProbeJson(r: AzureProbeResult) {
  const { nsg, firewall, egress } = r.layers;
  return {
    probe: r.probe,
    from: r.from,
    to: r.to,
    verdict: r.verdict,
    seenAs: r.layers.seenAs,
    nsg: { verdict: nsg.verdict, reason: nsg.reason, ...(nsg.decidingRule ? { decidingRule: nsg.decidingRule } : {}), decisions: nsg.decisions, notes: nsg.notes },
    firewall: {
      verdict: firewall.verdict,
      reason: firewall.reason,
      ...(firewall.firewall ? { firewall: firewall.firewall } : {}),
      ...(firewall.decidingRule ? { decidingRule: firewall.decidingRule } : {}),
      notes: firewall.notes,
    },
    ...(egress ? { egress: { kind: egress.kind, explanation: egress.explanation, controls: egress.controls } } : {}),
  };
}
