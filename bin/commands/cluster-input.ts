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
import { formatSourceError, type SourceError } from '../../lib/k8s/source-error';
import type { ClusterSnapshot } from '../../lib/k8s/types';
import { PolicyEngine } from '../../lib/policy/engine';
import type { PolicyError } from '../../lib/policy/policy-error';

export interface ClusterInputOptions {
  manifests?: string;
  demo?: boolean;
}

/** Bad input: the command prints the message and exits with 2. */
export class UsageError extends Error {}

export function addClusterInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--manifests <path>', 'manifests file or directory (YAML, JSON, kind: List)').env('FLOWSIGHT_MANIFESTS'))
    .option('--demo', 'use the demo scenario as the cluster');
}

/** Loads the snapshot; document-level problems are returned as warnings, an unusable source throws UsageError. */
export async function loadClusterInput(o: ClusterInputOptions): Promise<{ snapshot: ClusterSnapshot; warnings: SourceError[] }> {
  if (o.demo && o.manifests) throw new UsageError('use either --manifests or --demo, not both');
  if (!o.demo && !o.manifests) throw new UsageError('a cluster is needed: --manifests PATH (or FLOWSIGHT_MANIFESTS) or --demo');
  // Parsed in this thread: a CLI run has no requests to keep serving (caps and per-document errors are the same).
  const source = o.demo ? new DemoSource() : new ManifestsSource(o.manifests!, { parser: 'inline' });
  await source.start();
  const status = source.status();
  const fatal = status.errors.filter((e) => e.code === 'file-unreadable');
  if (fatal.length > 0) throw new UsageError(fatal.map(formatSourceError).join('\n'));
  return { snapshot: source.snapshot(), warnings: status.errors };
}

/** One warning line for a policy the engine could only partly compile (or not at all). */
export function formatPolicyError(e: PolicyError): string {
  return `${e.where.kind} ${e.where.namespace ? `${e.where.namespace}/` : ''}${e.where.name} ${e.where.field}: ${e.message}`;
}

/** Loads the cluster input and compiles its policies; load and compile problems are printed as warnings. */
export async function loadClusterEngine(o: ClusterInputOptions, dns: Record<string, string[]>): Promise<{ snapshot: ClusterSnapshot; warnings: SourceError[]; engine: PolicyEngine }> {
  const { snapshot, warnings } = await loadClusterInput(o);
  const engine = new PolicyEngine(snapshot, { dns });
  warn([...warnings.map(formatSourceError), ...engine.errors.map(formatPolicyError)]);
  return { snapshot, warnings, engine };
}

/** Reads a file named by an option; a missing or unreadable file is bad input naming the option. */
export async function readInputFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export interface AzureInputOptions {
  azure?: string;
  azureDemo?: boolean;
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
 * Loads the Azure snapshot. Object-level problems come back as warnings (the rest still loads);
 * a directory that cannot be read at all, or that yields nothing but errors, is bad input.
 */
export async function loadAzureInput(o: AzureInputOptions): Promise<{ snapshot: AzureSnapshot; warnings: AzureSourceError[] }> {
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
  return { snapshot, warnings: snapshot.errors };
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
