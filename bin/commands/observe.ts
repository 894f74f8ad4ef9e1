import { type Command, Option } from 'commander';
import fs from 'node:fs';
import { decidedBy, l7Summary, peerName, portLabel } from '../../lib/flows/flow-format';
import type { FlowRecord } from '../../lib/flows/flow-record';
import { describeProblems, parseFlowQuery } from '../../lib/hubble/flow-query';
import { FlowSubscription } from '../../lib/hubble/flow-subscription';
import { RelayClient, type RelayTls } from '../../lib/hubble/relay-client';
import { parseRelayAddress, RelayAddressError } from '../../lib/hubble/relay-address';
import { parseTimeBound } from '../../lib/search/time-bound';

interface ObserveOptions {
  relay: string;
  follow?: boolean;
  last?: string;
  first?: string;
  since?: string;
  until?: string;
  output: 'json' | 'table';
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  [filter: string]: unknown;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--since 5m` / `--since 2026-11-25T10:00:00Z` -> Date; null when unparseable (the search language's time bounds). */
export function parseTime(value: string, now = Date.now()): Date | null {
  const t = parseTimeBound(value, now);
  return t.ok ? new Date(t.ms) : null;
}

/** One flow as a line of `flowsight observe` / `flowsight query` table output. */
export function flowTableLine(f: FlowRecord): string {
  const time = new Date(f.time).toISOString().replace('T', ' ').slice(0, 23);
  const arrow = f.isReply ? '<-' : '->';
  const verdict = f.verdict + (f.dropReason && f.verdict === 'DROPPED' ? ` (${f.dropReason})` : '');
  const extra = [l7Summary(f), decidedBy(f)].filter(Boolean).join(' · ');
  return `${time}  ${peerName(f.source)} ${arrow} ${peerName(f.destination)} ${portLabel(f)}  ${verdict}${extra ? `  ${extra}` : ''}`;
}

class UsageError extends Error {}

function readTls(o: ObserveOptions): RelayTls | undefined {
  const read = (flag: string, p?: string) => {
    if (!p) return undefined;
    try {
      return fs.readFileSync(p);
    } catch (e) {
      throw new UsageError(`${flag}: cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const tls: RelayTls = { ca: read('--tls-ca', o.tlsCa), cert: read('--tls-cert', o.tlsCert), key: read('--tls-key', o.tlsKey), serverName: o.tlsServerName };
  if (!!tls.cert !== !!tls.key) throw new UsageError('mTLS needs both --tls-cert and --tls-key');
  return tls.ca || tls.cert || tls.serverName ? tls : undefined;
}

/** `flowsight observe`: flows from a relay, like `hubble observe`, as JSON lines or a table. */
export function register(program: Command): void {
  const cmd = program
    .command('observe')
    .description('print flows from Hubble Relay (or the demo relay), filtered like `hubble observe`')
    .option('--relay <address>', 'relay address (host:port, tls://host:port)', process.env.FLOWSIGHT_RELAY || 'localhost:4245')
    .option('-f, --follow', 'keep streaming new flows (reconnects and resumes if the relay restarts)')
    .option('--last <n>', 'the last N flows (default 20 unless --since/--first)')
    .option('--first <n>', 'the first N flows in the relay buffer')
    .option('--since <time>', 'flows since a time (RFC 3339) or a duration ago (5m, 1h)')
    .option('--until <time>', 'flows until a time or duration ago')
    .addOption(new Option('-o, --output <format>', 'json: one FlowRecord per line; table: one line per flow').choices(['json', 'table']).default('table'))
    .option('--tls-ca <file>', 'CA certificate (PEM) for the relay')
    .option('--tls-cert <file>', 'client certificate (PEM) for mTLS')
    .option('--tls-key <file>', 'client key (PEM) for mTLS')
    .option('--tls-server-name <name>', 'name to verify in the relay certificate');
  const filters: [string, string, string][] = [
    ['namespace', '-n, --namespace <ns>', 'flows from or to a namespace'],
    ['fromNamespace', '--from-namespace <ns>', 'flows from a namespace'],
    ['toNamespace', '--to-namespace <ns>', 'flows to a namespace'],
    ['pod', '--pod <[ns/]pod>', 'flows from or to a pod (name prefix)'],
    ['fromPod', '--from-pod <[ns/]pod>', 'flows from a pod'],
    ['toPod', '--to-pod <[ns/]pod>', 'flows to a pod'],
    ['ip', '--ip <ip|cidr>', 'flows from or to an address'],
    ['fromIp', '--from-ip <ip|cidr>', 'flows from an address'],
    ['toIp', '--to-ip <ip|cidr>', 'flows to an address'],
    ['label', '-l, --label <selector>', 'flows from or to endpoints with labels'],
    ['fromLabel', '--from-label <selector>', 'flows from endpoints with labels'],
    ['toLabel', '--to-label <selector>', 'flows to endpoints with labels'],
    ['fqdn', '--fqdn <name>', 'flows from or to a DNS name (wildcards: *.example.com)'],
    ['fromFqdn', '--from-fqdn <name>', 'flows from a DNS name'],
    ['toFqdn', '--to-fqdn <name>', 'flows to a DNS name'],
    ['port', '--port <port>', 'flows from or to a port'],
    ['fromPort', '--from-port <port>', 'flows from a port'],
    ['toPort', '--to-port <port>', 'flows to a port'],
    ['verdict', '--verdict <verdict>', 'FORWARDED, DROPPED, AUDIT, ERROR, ...'],
    ['protocol', '--protocol <proto>', 'tcp, udp, icmp, http, dns, kafka'],
    ['dropReason', '--drop-reason-desc <reason>', 'e.g. POLICY_DENIED'],
    ['httpStatus', '--http-status <code>', '404, 5+'],
    ['node', '--node-name <glob>', 'cluster/node glob'],
  ];
  for (const [, flags, help] of filters) cmd.option(flags, `${help} (repeatable)`, collect);
  cmd.action(async (o: ObserveOptions) => {
    const raw: Record<string, string[] | undefined> = {};
    for (const [key] of filters) raw[key] = o[key] as string[] | undefined;
    const parsed = parseFlowQuery(raw);
    const fail = (message: string) => {
      process.stderr.write(`flowsight observe: ${message}\n`);
      process.exitCode = 2;
    };
    if (!parsed.ok) return fail(describeProblems(parsed.problems).replace(/invalid filter "(\w+)"/g, (_, p: string) => `invalid --${p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
    try {
      parseRelayAddress(o.relay);
    } catch (e) {
      if (e instanceof RelayAddressError) return fail(`--relay: ${e.message}`);
      throw e;
    }
    const since = o.since ? parseTime(o.since) : undefined;
    const until = o.until ? parseTime(o.until) : undefined;
    if (since === null) return fail(`--since: "${o.since}" is not a time (RFC 3339) or duration (5m, 1h)`);
    if (until === null) return fail(`--until: "${o.until}" is not a time (RFC 3339) or duration (5m, 1h)`);
    const count = (flag: string, v?: string) => {
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${flag}: "${v}" is not a positive integer`);
      return Number(v);
    };
    let tls: RelayTls | undefined;
    let last: number | undefined;
    let first: number | undefined;
    try {
      tls = readTls(o);
      last = count('--last', o.last);
      first = count('--first', o.first);
      if (first && o.follow) throw new UsageError('--first cannot be combined with --follow');
      if (first && last) throw new UsageError('--first cannot be combined with --last');
    } catch (e) {
      if (e instanceof UsageError) return fail(e.message);
      throw e;
    }
    const client = new RelayClient({ address: o.relay, tls });
    const print = (f: FlowRecord) => process.stdout.write(`${o.output === 'json' ? JSON.stringify(f) : flowTableLine(f)}\n`);
    try {
      if (o.follow && !first) {
        const sub = new FlowSubscription(client, {
          allow: parsed.filters,
          initialLast: last ?? (since ? 0 : 20),
          onFlow: print,
          onState: (s) => {
            if (s.state === 'retrying') process.stderr.write(`flowsight observe: ${s.lastError}; retrying\n`);
          },
        });
        sub.start();
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        sub.stop();
        return;
      }
      await new Promise<void>((resolve, reject) => {
        client.getFlows(
          { number: first ?? last ?? (since ? 0 : 20), first: !!first, since: since ?? undefined, until: until ?? undefined, allow: parsed.filters },
          { onFlow: print, onEnd: (err) => (err ? reject(err) : resolve()) },
        );
      });
    } catch (e) {
      const err = e as Error & { code?: number; details?: string };
      return fail(`relay ${o.relay}: ${err.details || err.message}`);
    } finally {
      client.close();
    }
  });
}
