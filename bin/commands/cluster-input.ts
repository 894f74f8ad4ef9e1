/**
 * The cluster-source options shared by `evaluate` and `findings` (--manifests / --demo, FLOWSIGHT_MANIFESTS).
 * The Azure layer's options (--azure DIR / --azure-demo) live here too, so commands compose them.
 */

import { type Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { demoAzureSnapshot } from '../../lib/azure/demo';
import { loadAzureDir } from '../../lib/azure/files-source';
import type { AzureSnapshot, SourceError as AzureSourceError } from '../../lib/azure/types';
import { DemoSource } from '../../lib/k8s/demo-source';
import { ManifestsSource } from '../../lib/k8s/manifests-source';
import { manifestLocationOf } from '../../lib/k8s/parse-manifests';
import { formatSourceError, isInputProblem, summarizeSkippedKinds, type SourceError } from '../../lib/k8s/source-error';
import type { ClusterSnapshot } from '../../lib/k8s/types';
import { chooseDatapath, DATAPATH_SETTINGS, describeDatapath, type DatapathChoice, type DatapathSetting } from '../../lib/policy-engine/datapath';
import { PolicyEngine } from '../../lib/policy-engine/engine';
import type { PolicyError } from '../../lib/policy-engine/policy-error';
import type { FlowRecord } from '../../lib/flows/flow-record';

export interface ClusterInputOptions {
  manifests?: string;
  demo?: boolean;
  /** Policy semantics to model; `auto` detects Cilium from the cluster's Cilium policies or agent pods. */
  datapath?: DatapathSetting;
  /** Evaluate the good documents of a bad input instead of refusing it; the output is marked partial. */
  allowPartial?: boolean;
}

/** Bad input: the command prints the message and exits with 2. */
export class UsageError extends Error {}

export function addClusterInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--manifests <path>', 'manifests file or directory (YAML, JSON, kind: List)').env('FLOWSIGHT_MANIFESTS'))
    .option('--demo', 'use the demo scenario as the cluster')
    .option('--allow-partial', 'evaluate the good documents when some input is bad (the output says "partial"); without it bad input exits 2')
    .addOption(new Option('--datapath <name>', 'policy semantics: cilium (ipBlock/toCIDR never match pods), kubernetes (upstream conformance), or auto-detect').choices(DATAPATH_SETTINGS).default('auto'));
}

/** The line every cluster command prints (table output) so a reader knows which semantics the verdicts follow. */
export function datapathLine(choice: DatapathChoice): string {
  return `datapath: ${describeDatapath(choice)}`;
}

/**
 * Loads the snapshot: an unreadable path or an input with no objects is bad input (UsageError);
 * document problems come back as warnings for loadClusterEngine to judge; kinds Flowsight does not
 * need are skipped and counted on stderr.
 */
export async function loadClusterInput(o: ClusterInputOptions): Promise<{ snapshot: ClusterSnapshot; warnings: SourceError[]; partial: boolean }> {
  if (o.demo && o.manifests) throw new UsageError('use either --manifests or --demo, not both');
  if (!o.demo && !o.manifests) throw new UsageError('a cluster is needed: --manifests PATH (or FLOWSIGHT_MANIFESTS) or --demo');
  // Parsed in this thread: a CLI run has no requests to keep serving (caps and per-document errors are the same).
  const source = o.demo ? new DemoSource() : new ManifestsSource(o.manifests!, { parser: 'inline' });
  await source.start();
  const status = source.status();
  const fatal = status.errors.filter((e) => e.code === 'file-unreadable');
  if (fatal.length > 0) throw new UsageError(fatal.map(formatSourceError).join('\n'));
  const snapshot = source.snapshot();
  const problems = status.errors.filter(isInputProblem);
  const skipped = summarizeSkippedKinds(status.errors);
  if (skipped.total > 0) process.stderr.write(`note: skipped ${skipped.total} document${skipped.total > 1 ? 's' : ''} of kinds Flowsight does not need (${skipped.text})\n`);
  if (isEmptySnapshot(snapshot)) {
    throw new UsageError(`no objects found in ${o.manifests} (expected Namespaces, Pods, Services, NetworkPolicies or Cilium policies)${problems.length ? `:\n${problems.map(formatSourceError).join('\n')}` : ''}`);
  }
  // Problems are judged with the policy compile errors (loadClusterEngine), so one run lists them all.
  return { snapshot, warnings: problems, partial: problems.length > 0 };
}

/** The first line of a table output computed with --allow-partial from an input with problems. */
export const PARTIAL_LINE = 'PARTIAL RESULT: some input could not be read (problems listed on stderr); evaluated the rest (--allow-partial)';

function isEmptySnapshot(s: ClusterSnapshot): boolean {
  return s.namespaces.length + s.pods.length + s.policies.length + s.services.length + s.endpointSlices.length + s.nodes.length === 0;
}

function badInputMessage(lines: string[]): string {
  return `${lines.length} problem${lines.length > 1 ? 's' : ''} in the input (nothing evaluated; --allow-partial evaluates the rest):\n${lines.join('\n')}`;
}

/** One warning line for a policy the engine could only partly compile (or not at all). */
export function formatPolicyError(e: PolicyError, snapshot?: ClusterSnapshot): string {
  const policy = snapshot?.policies.find((p) => p.kind === e.where.kind && p.name === e.where.name && (p.namespace ?? '') === (e.where.namespace ?? ''));
  const at = policy ? manifestLocationOf(policy) : undefined;
  const where = at?.file ? `${at.file}${at.documentIndex !== undefined ? ` doc ${at.documentIndex}` : ''}${at.line !== undefined ? ` line ${at.line}` : ''}: ` : '';
  return `${where}${e.where.kind} ${e.where.namespace ? `${e.where.namespace}/` : ''}${e.where.name} ${e.where.field}: ${e.message}`;
}

/** Loads the cluster input and compiles its policies; load and compile problems are printed as warnings. */
export async function loadClusterEngine(o: ClusterInputOptions, dns: Record<string, string[]>): Promise<{ snapshot: ClusterSnapshot; warnings: SourceError[]; engine: PolicyEngine; partial: boolean }> {
  const loaded = await loadClusterInput(o);
  const { snapshot, warnings } = loaded;
  const engine = new PolicyEngine(snapshot, { dns, datapath: chooseDatapath(snapshot, { setting: o.datapath, settingName: '--datapath' }) });
  // A CI gate must never pass on input it could not read: a broken document (YAML syntax, a typo'd
  // kind in a policy API group) or a policy field the engine cannot compile is bad input (exit 2,
  // every problem listed) unless --allow-partial.
  const invalid = engine.errors.filter((e) => e.severity === 'error');
  if ((warnings.length > 0 || invalid.length > 0) && !o.allowPartial) throw new UsageError(badInputMessage([...warnings.map(formatSourceError), ...invalid.map((e) => formatPolicyError(e, snapshot))]));
  warn([...warnings.map(formatSourceError), ...engine.errors.map((e) => formatPolicyError(e, snapshot))]);
  return { snapshot, warnings, engine, partial: loaded.partial || invalid.length > 0 };
}

/** Reads a file named by an option; a missing or unreadable file is bad input naming the option. */
export async function readInputFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Observed flows for `--flows`: a JSON array, or JSON lines (a bad line is named by its number). */
export async function readFlowsFile(path: string): Promise<FlowRecord[]> {
  const text = await readInputFile(path, '--flows');
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as FlowRecord[];
    } catch (e) {
      throw new UsageError(`--flows ${path}: not JSON (${(e as Error).message})`);
    }
  }
  const out: FlowRecord[] = [];
  trimmed.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as FlowRecord);
    } catch (e) {
      throw new UsageError(`--flows ${path} line ${i + 1}: not JSON (${(e as Error).message})`);
    }
  });
  return out;
}

export interface AzureInputOptions {
  azure?: string;
  azureDemo?: boolean;
  /** As for the cluster input: evaluate what loaded despite problems, marked partial. */
  allowPartial?: boolean;
}

/** The Azure layer's sibling of the cluster options: a directory of `az ... -o json` exports, or the demo. */
export function addAzureInputOptions(cmd: Command): Command {
  return cmd
    // No env fallback (unlike --manifests): FLOWSIGHT_AZURE_DIR configures the server, and picking it up here
    // would silently switch `evaluate` to node-level probes.
    .option('--azure <dir>', 'directory of `az network ... -o json` exports (NSGs, VNets, route tables, firewalls)')
    .option('--azure-demo', 'use the demo Azure network (NSG, route table, firewall policy)');
}

export function hasClusterInput(o: ClusterInputOptions): boolean {
  return !!o.demo || !!o.manifests;
}

export function hasAzureInput(o: AzureInputOptions): boolean {
  return !!o.azure || !!o.azureDemo;
}

/** Where an Azure source error happened, for one warning line. */
export function formatAzureSourceError(e: AzureSourceError): string {
  const w = e.where;
  const at = [w.file && `${w.file}${w.line ? `:${w.line}${w.column ? `:${w.column}` : ''}` : ''}`, w.resource, w.field && `field ${w.field}`].filter(Boolean).join(' ');
  return `azure ${e.code}${at ? ` (${at})` : ''}: ${e.message}`;
}

/**
 * Loads the Azure snapshot. A directory that cannot be read, yields nothing, or has any problem
 * (broken JSON, an invalid rule) is bad input; with --allow-partial the problems are warnings.
 */
export async function loadAzureInput(o: AzureInputOptions): Promise<{ snapshot: AzureSnapshot; warnings: AzureSourceError[]; partial: boolean }> {
  if (o.azure && o.azureDemo) throw new UsageError('use either --azure DIR or --azure-demo, not both');
  if (!o.azure && !o.azureDemo) throw new UsageError('Azure input is needed: --azure DIR or --azure-demo');
  const snapshot = o.azureDemo ? demoAzureSnapshot() : await loadAzureDir(o.azure!);
  const empty =
    snapshot.virtualNetworks.length + snapshot.networkSecurityGroups.length + snapshot.networkInterfaces.length + snapshot.routeTables.length + snapshot.natGateways.length + snapshot.azureFirewalls.length + snapshot.firewallPolicies.length === 0;
  const unreadable = snapshot.errors.filter((e) => e.code === 'unreadable' && e.where.file === o.azure);
  if (unreadable.length > 0) throw new UsageError(unreadable.map(formatAzureSourceError).join('\n'));
  if (empty) {
    throw new UsageError(
      `--azure ${o.azure}: no Azure network resources found${snapshot.errors.length ? `:\n${snapshot.errors.map(formatAzureSourceError).join('\n')}` : ' (expected `az network nsg list -o json` and similar outputs)'}`,
    );
  }
  if (snapshot.errors.length > 0 && !o.allowPartial) throw new UsageError(badInputMessage(snapshot.errors.map(formatAzureSourceError)));
  return { snapshot, warnings: snapshot.errors, partial: snapshot.errors.length > 0 };
}

/** Prints warnings on stderr, one per line, without failing the command. */
export function warn(lines: string[]): void {
  for (const l of lines) process.stderr.write(`warning: ${l}\n`);
}

/** Runs a command body, mapping UsageError to exit code 2 (and printing it). */
export async function runCommand(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`flowsight: ${err.message}\n`);
    process.exitCode = 2;
  }
}

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
