import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { DemoRelay } from '../../lib/demo/demo-relay';
import { demoScenarioOfScale, MAX_SCALE, MIN_SCALE } from '../../lib/demo/scaled-scenario';
import type { DemoScenario } from '../../lib/demo/scenario';
import { scenarioManifestFiles } from '../../lib/demo/scenario-manifests';

function intArg(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** Lists what an earlier --write-manifests wrote, so a second run may replace it (and nothing else). */
const MARKER = '.flowsight-demo-manifests';
/** The names scenarioManifestFiles gives: a marker that was edited cannot make us delete anything else. */
const WRITTEN_NAME = /^\d+-[a-z0-9-]+\.yaml$/;

/**
 * Writes the scenario's manifests into `dir`: a new or empty directory, or one an earlier run wrote
 * (its files are replaced). Anything else is refused, naming the option: it could be someone's manifests.
 */
async function writeManifests(dir: string, scenario: DemoScenario): Promise<number> {
  await fs.mkdir(dir, { recursive: true });
  const entries = await fs.readdir(dir);
  let previous: string[] = [];
  if (entries.length > 0) {
    if (!entries.includes(MARKER)) throw new Error(`--write-manifests: ${dir} is not empty and was not written by demo-relay; name a new or empty directory`);
    previous = (await fs.readFile(path.join(dir, MARKER), 'utf8')).split('\n').filter((name) => WRITTEN_NAME.test(name));
  }
  const files = scenarioManifestFiles(scenario);
  const names = new Set(files.map((f) => f.name));
  for (const name of previous) if (!names.has(name)) await fs.rm(path.join(dir, name), { force: true });
  for (const f of files) await fs.writeFile(path.join(dir, f.name), f.text);
  await fs.writeFile(path.join(dir, MARKER), `${files.map((f) => f.name).join('\n')}\n`);
  return files.length;
}

interface DemoRelayOptions {
  host: string;
  port: number;
  rate: number;
  seed: number;
  scale?: number;
  writeManifests?: string;
}

/** `flowsight demo-relay`: the demo scenario served as a standalone Hubble Relay. */
export function register(program: Command): void {
  program
    .command('demo-relay')
    .description('serve the demo AKS scenario over the Hubble observer gRPC API (a stand-in for hubble-relay)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', intArg('--port', 0, 65535), 4245)
    .option('--rate <flows>', 'flows per second; 0 streams as fast as clients read (benchmarks)', intArg('--rate', 0, 10_000_000), 150)
    .option('--seed <n>', 'traffic seed (same seed, same flows; the cluster itself depends on --scale only)', intArg('--seed', 0, 2 ** 31), 7)
    .option('--scale <workloads>', `a generated cluster of this many application workloads (${MIN_SCALE}-${MAX_SCALE}, about 50 per namespace) instead of the hand-written demo; FLOWSIGHT_DEMO_SCALE for npm start`, intArg('--scale', MIN_SCALE, MAX_SCALE))
    .option('--write-manifests <dir>', 'also write the cluster (nodes, namespaces, pods, Services, policies) as YAML for FLOWSIGHT_MANIFESTS')
    .action(async (opts: DemoRelayOptions) => {
      const scenario = demoScenarioOfScale(opts.scale ?? 0);
      const written = opts.writeManifests !== undefined ? await writeManifests(opts.writeManifests, scenario) : 0;
      const relay = new DemoRelay({ host: opts.host, port: opts.port, rate: opts.rate, seed: opts.seed, scenario, historySeconds: opts.rate > 0 ? 120 : 0 });
      const port = await relay.start();
      const cluster = opts.scale ? `; ${opts.scale} workloads, ${scenario.pods.length} pods in ${scenario.namespaces.length} namespaces` : '';
      const manifests = opts.writeManifests !== undefined ? `; ${written} manifest files in ${opts.writeManifests}` : '';
      process.stdout.write(`demo relay listening on ${opts.host}:${port} (${opts.rate > 0 ? `${opts.rate} flows/s` : 'full speed'}${cluster}${manifests})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void relay.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
