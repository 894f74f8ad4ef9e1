/**
 * `flowsight findings`: the posture findings of the cluster policies, for people (table) and pipelines
 * (json, `--fail-on SEVERITY` exits 1 when a finding at or above it exists; 2 on bad input).
 * `--azure DIR` adds the Azure findings (NSG, route tables, firewall); with a cluster input too, the
 * policy count and node IPs sharpen them (nsg-only-control needs to know whether any policy exists), and
 * open-egress weighs the Azure controls on each workload's egress path. Every generated fix is checked
 * by the policy engine against the snapshot and the `--flows` connections before it is printed.
 */

import { type Command, Option } from 'commander';
import { SEVERITY_ORDER, atLeast, type Severity } from '../../lib/posture/finding';
import { computeFindings } from '../../lib/posture/findings';
import { FlowSummary } from '../../lib/posture/flow-summary';
import { ObservedConnections, type ObservedConnection } from '../../lib/posture/observed-connections';
import type { AzureSnapshot } from '../../lib/azure/types';
import { podsPerNamespace, postureScores, scoreBasis } from '../../lib/posture/posture-score';
import type { FlowRecord } from '../../lib/flows/flow-record';
import { azureFindings } from './azure-support';
import { clusterFindingsOptions } from '../../lib/posture/azure-findings';
import { sortFindings } from '../../lib/posture/finding';
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
  readFlowsFile,
  runCommand,
  UsageError,
  warn,
  writeOut,
  type AzureInputOptions,
  type ClusterInputOptions,
} from './cluster-input';

interface FindingsOptions extends ClusterInputOptions, AzureInputOptions {
  output: 'json' | 'table';
  failOn?: Severity;
  flows?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('findings')
    .description('Posture findings of the cluster policies (unprotected namespaces, open egress, DNS, audit, ...)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'table']).default('table'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists').choices(SEVERITY_ORDER))
    .option('--flows <file>', 'observed flows (JSON array or JSON lines of FlowRecord) as evidence');
  addAzureInputOptions(addClusterInputOptions(cmd)).action((o: FindingsOptions) => runCommand(() => findings(o)));
}

async function findings(o: FindingsOptions): Promise<number> {
  const withAzure = hasAzureInput(o);
  // Without --azure the cluster is required (loadClusterInput says so); with it the cluster is optional.
  const withCluster = hasClusterInput(o) || !withAzure;
  const records = o.flows ? await readFlowsFile(o.flows) : undefined;
  const flows = records ? new FlowSummary().addAll(records).snapshot() : undefined;
  // The connections seen: open-egress runs their internet destinations through --azure, and fixes must keep them.
  const connections = records ? new ObservedConnections().addAll(records).snapshot().connections : undefined;
  const azure = withAzure ? await loadAzureInput(o) : undefined;
  const cluster = withCluster ? await clusterFindings(o, flows, connections, azure?.snapshot) : undefined;
  if (azure) warn(azure.warnings.map(formatAzureSourceError));
  const partial = !!cluster?.partial || !!azure?.partial;
  // The score weighs the policies, plus --flows when given: say so, the dashboard weighs the flows it observes.
  const basis = cluster ? scoreBasis({ scorer: 'cli', observedFlows: records?.length ?? 0, ...(records?.length ? { flowWindow: timeRange(records) } : {}), azure: !!azure }) : undefined;
  const list = sortFindings([...(cluster?.findings ?? []), ...(azure ? azureFindings(azure.snapshot, clusterFindingsOptions(azure.snapshot, cluster?.snapshot)) : [])]);

  if (o.output === 'json') {
    writeOut(
      JSON.stringify(
        {
          partial,
          findings: list,
          ...(cluster ? { datapath: cluster.datapath, scores: cluster.scores, basis, sourceErrors: cluster.warnings, policyErrors: cluster.policyErrors } : {}),
          ...(azure ? { azure: { origin: azure.snapshot.origin, sourceErrors: azure.warnings } } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    if (partial) writeOut(PARTIAL_LINE);
    if (cluster) writeOut(datapathLine(cluster.datapath));
    if (cluster) writeOut(`posture score: ${cluster.scores.cluster.score}/100 (${Object.entries(cluster.scores.namespaces).map(([ns, s]) => `${ns} ${s.score}`).join(', ')})`);
    if (basis) writeOut(`score basis: ${basis.text}`);
    if (azure) writeOut(`azure: ${azure.snapshot.origin}${azure.warnings.length ? ` (${azure.warnings.length} source error${azure.warnings.length > 1 ? 's' : ''})` : ''}`);
    const width = Math.max(0, ...list.map((f) => f.key.length));
    for (const f of list) writeOut(`${f.severity.toUpperCase().padEnd(8)} ${f.key.padEnd(width)}  ${f.title}`);
    if (list.length === 0) writeOut('no findings');
  }
  return o.failOn && list.some((f) => atLeast(f.severity, o.failOn!)) ? 1 : 0;
}

/** First and last flow time of the --flows input. */
function timeRange(records: readonly FlowRecord[]): { from: number; to: number } {
  let from = Infinity;
  let to = -Infinity;
  for (const r of records) {
    if (typeof r.time !== 'number') continue;
    if (r.time < from) from = r.time;
    if (r.time > to) to = r.time;
  }
  return Number.isFinite(from) ? { from, to } : { from: 0, to: 0 };
}

async function clusterFindings(o: FindingsOptions, flows: ReturnType<FlowSummary['snapshot']> | undefined, connections: ObservedConnection[] | undefined, azure: AzureSnapshot | undefined) {
  const { snapshot, warnings, engine, partial } = await loadClusterEngine(o, flows?.dnsAnswers ?? {});
  const findings = computeFindings({ snapshot, engine, ...(flows ? { flows } : {}), ...(connections ? { connections } : {}), ...(azure ? { azure } : {}) });
  return { snapshot, warnings, partial, findings, datapath: engine.datapath, scores: postureScores(findings, podsPerNamespace(snapshot.namespaces, engine.pods())), policyErrors: engine.errors };
}
