/**
 * `flowsight simulate --change FILE`: what a policy change would do to the traffic of a window, as a CI
 * gate for policy pull requests. Exit 0: nothing observed breaks; 1: the change would deny traffic that
 * passes today; 2: bad input (a YAML or policy error names its line and column, nothing runs); 3: the
 * replay could not run (no server, no history).
 *
 * With --manifests / --demo the replay runs here, against those manifests, on the flows of --flows or
 * of the server's history; without them the server replays against its own cluster.
 */

import { type Command, Option } from 'commander';
import type { Preset, ProposedChange } from '../../lib/what-if/proposed-change';
import { changeRunnable, parseChange, type ChangeProblem } from '../../lib/what-if/proposed-change';
import { simulate, type ReplayEdge, type SimulationResult } from '../../lib/what-if/replay';
import { POLICY_KINDS, type PolicyKind } from '../../lib/k8s/types';
import { readInputFile, UsageError, warn, writeOut } from './cluster-input';
import { RunError, addWhatIfInputOptions, checkInputs, localInputs, boundedWindow, progressPrinter, runsLocally, runWhatIf, streamed, windowOf, type WhatIfInputOptions } from './what-if-input';

interface SimulateOptions extends WhatIfInputOptions {
  change?: string;
  delete: string[];
  defaultDeny: string[];
  output: 'json' | 'table';
}

const collect = (v: string, list: string[]) => [...list, v];

export function register(program: Command): void {
  const cmd = program
    .command('simulate')
    .description('replay observed traffic with and without a policy change: what it would break (exit 1), newly allow or put in audit')
    .option('--change <file>', 'YAML of NetworkPolicy / CiliumNetworkPolicy / CCNP documents to add or replace')
    .option('--delete <kind/ns/name>', 'a deployed policy the change deletes (repeatable; kind/name for a CCNP)', collect, [])
    .option('--default-deny <ns[:ingress|egress]>', 'preset: default deny for a namespace, both ways unless one is named (repeatable)', collect, [])
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'table']).default('table'));
  addWhatIfInputOptions(cmd).action((o: SimulateOptions) => runWhatIf('simulate', () => run(o)));
}

/** `NetworkPolicy/ns/name` or `CiliumClusterwideNetworkPolicy/name`. */
export function parseDelete(text: string): { kind: PolicyKind; namespace?: string; name: string } {
  const parts = text.split('/');
  const kind = parts[0] as PolicyKind;
  if (!(POLICY_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--delete ${text}: the kind is one of ${POLICY_KINDS.join(', ')}`);
  if (kind === 'CiliumClusterwideNetworkPolicy' ? parts.length !== 2 : parts.length !== 3) throw new UsageError(`--delete ${text}: expected ${kind === 'CiliumClusterwideNetworkPolicy' ? 'kind/name' : 'kind/namespace/name'}`);
  const [, a, b] = parts;
  if (parts.some((p) => p === '')) throw new UsageError(`--delete ${text}: empty part`);
  return kind === 'CiliumClusterwideNetworkPolicy' ? { kind, name: a } : { kind, namespace: a, name: b };
}

export function parseDefaultDeny(text: string): Preset {
  const [namespace, direction, extra] = text.split(':');
  if (!namespace || extra !== undefined || (direction !== undefined && direction !== 'ingress' && direction !== 'egress')) throw new UsageError(`--default-deny ${text}: expected NAMESPACE, NAMESPACE:ingress or NAMESPACE:egress`);
  return { preset: 'default-deny', namespace, directions: direction ? [direction] : ['ingress', 'egress'] };
}

/** A change problem as the CLI prints it: file, line and column first. */
export function formatProblem(file: string | undefined, p: ChangeProblem): string {
  const where = p.line !== undefined ? `${file ?? 'change'}:${p.line}:${p.column}: ` : file ? `${file}: ` : '';
  return `${where}${p.severity}: ${p.message}`;
}

async function run(o: SimulateOptions): Promise<number> {
  checkInputs(o);
  const window = windowOf(o);
  const change: ProposedChange = {
    ...(o.change ? { yaml: await readInputFile(o.change, '--change') } : {}),
    ...(o.delete.length ? { delete: o.delete.map(parseDelete) } : {}),
    ...(o.defaultDeny.length ? { presets: o.defaultDeny.map(parseDefaultDeny) } : {}),
  };
  if (!change.yaml?.trim() && !change.delete && !change.presets) throw new UsageError('nothing to simulate: give --change FILE, --delete or --default-deny');
  // Checked here first in both modes: a CI log then names the file, line and column.
  const parsed = parseChange(change);
  if (!changeRunnable(parsed)) throw new UsageError(`the change cannot run:\n${parsed.problems.map((p) => formatProblem(o.change, p)).join('\n')}`);
  warn(parsed.problems.map((p) => formatProblem(o.change, p)));
  let result: SimulationResult;
  if (runsLocally(o)) {
    const input = await localInputs(o, window);
    result = await simulate(input.snapshot, parsed, input.traffic, { engineOptions: { datapath: input.datapath }, onProgress: progressPrinter() });
  } else {
    result = await streamed<SimulationResult>(o.url, '/api/simulate', { change, since: new Date(boundedWindow(window).since).toISOString(), until: new Date(boundedWindow(window).until).toISOString() }, progressPrinter());
  }
  if (o.output === 'json') writeOut(JSON.stringify(result, null, 2));
  else for (const line of simulationTable(result)) writeOut(line);
  // A gate that saw no traffic checked nothing: that is not a pass.
  if (result.replayed.flows === 0) throw new RunError('no traffic in the window: nothing was replayed (a longer --since, the right --url, or a --flows file with flows)');
  return result.mayBreakTraffic ? 1 : 0;
}

const n = (x: number) => x.toLocaleString('en-US');

function edgeLine(e: ReplayEdge): string {
  const flows = e.flows.breaks + e.flows.unverified + e.flows.audit + e.flows.opens;
  const ex = e.examples.find((x) => x.outcome === e.outcome) ?? e.examples[0];
  return `  ${e.source} -> ${e.target} ${e.port}/${e.protocol}  ${n(flows)} flows, ${new Date(e.firstSeen).toISOString()} .. ${new Date(e.lastSeen).toISOString()}${ex ? `\n      ${ex.after.why}${ex.request ? ` (${ex.request})` : ''}` : ''}`;
}

/** The result for people: the window, DNS breakage first, then what breaks, audit, opens, and unobserved paths. */
export function simulationTable(r: SimulationResult): string[] {
  const out: string[] = [];
  const range = r.range.since === null && r.range.until === null ? 'every flow of the input' : `window ${r.range.since !== null ? new Date(r.range.since).toISOString() : 'start'} .. ${r.range.until !== null ? new Date(r.range.until).toISOString() : 'now'}`;
  out.push(`${range}: ${n(r.replayed.flows)} flows in ${n(r.replayed.connections)} connections replayed (datapath ${r.datapath})${r.replayed.truncated ? ' - TRUNCATED: the rarest connections were not replayed' : ''}`);
  const names = (list: { kind: string; namespace?: string; name: string }[]) => list.map((p) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`).join(', ');
  if (r.change.added.length) out.push(`adds ${names(r.change.added)}`);
  if (r.change.replaced.length) out.push(`replaces ${names(r.change.replaced)}`);
  if (r.change.deleted.length) out.push(`deletes ${names(r.change.deleted)}`);
  for (const w of r.change.warnings) out.push(`warning: ${w}`);
  if (r.dns.length) {
    out.push(`DNS BREAKAGE: ${n(r.totals.dnsBreaks.connections)} connection(s), ${n(r.totals.dnsBreaks.flows)} flows - pods would fail to resolve names`);
    for (const e of r.dns) out.push(edgeLine(e));
  }
  const section = (outcome: ReplayEdge['outcome'], title: string) => {
    const list = r.edges.filter((e) => e.outcome === outcome && !((outcome === 'breaks' || outcome === 'unverified') && e.dns));
    if (!list.length) return;
    out.push(`${title}: ${list.length} edge(s)`);
    for (const e of list) out.push(edgeLine(e));
  };
  section('breaks', 'BREAKS (passes today, denied with the change)');
  section('unverified', 'MAY BREAK (only requests matching new L7 rules would pass; the window has no request data to check)');
  section('audit', 'AUDIT (would be denied once enforced)');
  section('opens', 'NEWLY ALLOWED (denied today)');
  if (r.unobserved.length) {
    out.push('paths no flow took:');
    for (const u of r.unobserved) out.push(`  ${u.outcome} ${u.workload}: ${u.path}`);
  }
  if (r.unevaluated) out.push(`${n(r.unevaluated)} connection(s) could not be evaluated (no L4 protocol or a Service address)`);
  if (r.disagreements) out.push(`note: for ${n(r.disagreements)} connection(s) the engine's verdict for the cluster as deployed differs from what Hubble observed`);
  const may = r.totals.unverified.connections ? `${r.breaksTraffic ? ' and may break' : 'may break'} ${n(r.totals.unverified.connections)} more (L7)` : '';
  out.push(r.breaksTraffic ? `result: the change breaks ${n(r.totals.breaks.connections)} observed connection(s) (${n(r.totals.breaks.flows)} flows)${may}` : r.mayBreakTraffic ? `result: the change ${may}` : 'result: no observed traffic breaks');
  return out;
}
