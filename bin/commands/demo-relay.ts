import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { DemoRelay } from '../../lib/demo/demo-relay';

function intArg(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** `flowsight demo-relay`: the demo scenario served as a standalone Hubble Relay. */
export function register(program: Command): void {
  program
    .command('demo-relay')
    .description('serve the demo AKS scenario over the Hubble observer gRPC API (a stand-in for hubble-relay)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', intArg('--port', 0, 65535), 4245)
    .option('--rate <flows>', 'flows per second; 0 streams as fast as clients read (benchmarks)', intArg('--rate', 0, 10_000_000), 150)
    .option('--seed <n>', 'scenario seed (same seed, same flows)', intArg('--seed', 0, 2 ** 31), 7)
    .action(async (opts: { host: string; port: number; rate: number; seed: number }) => {
      const relay = new DemoRelay({ host: opts.host, port: opts.port, rate: opts.rate, seed: opts.seed, historySeconds: opts.rate > 0 ? 120 : 0 });
      const port = await relay.start();
      process.stdout.write(`demo relay listening on ${opts.host}:${port} (${opts.rate > 0 ? `${opts.rate} flows/s` : 'full speed'})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void relay.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
