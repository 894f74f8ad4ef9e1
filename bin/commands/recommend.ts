/**
 * `flowsight recommend --namespace X`: least-privilege policies from the allowed traffic of a window,
 * simulated over the same window before they are printed. The YAML goes to stdout (ready for a pull
 * request), the simulation's summary and the comparison with what is deployed to stderr; `-o json`
 * prints everything as one document. Exit 0 with a recommendation, 2 on bad input, 3 when it could
 * not run.
 */

import { type Command, Option } from 'commander';
import { deployedDiff } from '../../lib/what-if/deployed-diff';
import { FLAVOURS, recommend, recommendationParsed, type Flavour } from '../../lib/what-if/recommend';
import { simulate } from '../../lib/what-if/replay';
import type { RecommendAnswer } from '../../lib/server/what-if';
import { UsageError, writeOut } from './cluster-input';
import { simulationTable } from './simulate';
import { addWhatIfInputOptions, checkInputs, localInputs, boundedWindow, progressPrinter, runsLocally, runWhatIf, streamed, windowOf, type WhatIfInputOptions } from './what-if-input';

interface RecommendOptions extends WhatIfInputOptions {
  namespace: string;
  workload?: string;
  flavour?: Flavour;
  output: 'yaml' | 'json';
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function register(program: Command): void {
  const cmd = program
    .command('recommend')
    .description('least-privilege policies for a namespace or workload from its observed allowed traffic, simulated before they are printed')
    .requiredOption('--namespace <name>', 'the namespace to write policies for')
    .option('--workload <name>', 'only this workload of the namespace (its policies are added beside the deployed ones)')
    .addOption(new Option('--flavour <flavour>', 'cilium (toFQDNs, entities) or kubernetes (NetworkPolicy, ipBlock); default: the cluster\'s datapath').choices(FLAVOURS))
    .addOption(new Option('-o, --output <format>', 'yaml (the policies) or json (policies, simulation, deployed diff)').choices(['yaml', 'json']).default('yaml'));
  addWhatIfInputOptions(cmd).action((o: RecommendOptions) => runWhatIf('recommend', () => run(o)));
}

async function run(o: RecommendOptions): Promise<number> {
  checkInputs(o);
  if (!NAME.test(o.namespace)) throw new UsageError(`--namespace ${o.namespace}: not a namespace name`);
  if (o.workload !== undefined && !NAME.test(o.workload)) throw new UsageError(`--workload ${o.workload}: not a workload name`);
  const window = windowOf(o);
  let answer: RecommendAnswer;
  if (runsLocally(o)) {
    const { snapshot, datapath, traffic } = await localInputs(o, window);
    if (!snapshot.pods.some((p) => p.namespace === o.namespace) && !snapshot.namespaces.some((n) => n.name === o.namespace)) throw new UsageError(`--namespace ${o.namespace}: the cluster input has no such namespace`);
    const flavour = o.flavour ?? (datapath.datapath === 'cilium' ? 'cilium' : 'kubernetes');
    const recommendation = recommend(snapshot, traffic, { namespace: o.namespace, ...(o.workload ? { workload: o.workload } : {}) }, flavour);
    const { change, parsed } = recommendationParsed(snapshot, recommendation);
    const simulation = await simulate(snapshot, parsed, traffic, { engineOptions: { datapath }, onProgress: progressPrinter() });
    answer = { recommendation, change, simulation, deployed: deployedDiff(snapshot, traffic, o.namespace, { datapath }) };
  } else {
    const body = { namespace: o.namespace, ...(o.workload ? { workload: o.workload } : {}), ...(o.flavour ? { flavour: o.flavour } : {}), since: new Date(boundedWindow(window).since).toISOString(), until: new Date(boundedWindow(window).until).toISOString() };
    answer = await streamed<RecommendAnswer>(o.url, '/api/recommend', body, progressPrinter());
  }
  if (o.output === 'json') {
    writeOut(JSON.stringify(answer, null, 2));
    return 0;
  }
  process.stdout.write(answer.recommendation.yaml);
  const err = (line: string) => process.stderr.write(`# ${line}\n`);
  err(`${answer.recommendation.flavour} policies for ${o.namespace}${o.workload ? `/${o.workload}` : ''} from ${answer.recommendation.basis.connections} allowed connection(s), ${answer.recommendation.basis.flows} flows`);
  if (answer.change.delete.length) err(`in place of the deployed ${answer.change.delete.map((d) => `${d.kind} ${d.name}`).join(', ')}`);
  for (const note of answer.recommendation.notes) err(`note: ${note}`);
  err('simulated over the same window:');
  for (const line of simulationTable(answer.simulation)) err(`  ${line}`);
  const d = answer.deployed;
  for (const b of d.broader) err(`deployed ${b.rule} allows ${b.unneeded} path(s) no flow took${b.examples.length ? `, e.g. ${b.examples[0]}` : ''}`);
  for (const u of d.unused) err(`deployed ${u.rule} admitted no observed flow in the window`);
  for (const u of d.uncovered) err(`no deployed rule covers ${u.path} (${u.status === 'denied' ? 'denied today' : u.status === 'audit' ? 'passes in audit mode, denied once enforced' : 'allowed only because nothing isolates it'}, ${u.flows} flows)`);
  return 0;
}
