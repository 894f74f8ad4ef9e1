/**
 * The cluster-source options shared by `evaluate` and `findings` (--manifests / --demo, FLOWSIGHT_MANIFESTS).
 * Other layers (e.g. Azure) add their own option helper next to this one, so commands compose them.
 */

import { type Command, Option } from 'commander';
import { DemoSource } from '../../lib/k8s/demo-source';
import { ManifestsSource } from '../../lib/k8s/manifests-source';
import { formatSourceError, type SourceError } from '../../lib/k8s/source-error';
import type { ClusterSnapshot } from '../../lib/k8s/types';

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
  const source = o.demo ? new DemoSource() : new ManifestsSource(o.manifests!);
  await source.start();
  const status = source.status();
  const fatal = status.errors.filter((e) => e.code === 'file-unreadable');
  if (fatal.length > 0) throw new UsageError(fatal.map(formatSourceError).join('\n'));
  return { snapshot: source.snapshot(), warnings: status.errors };
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
