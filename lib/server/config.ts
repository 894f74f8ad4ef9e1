/**
 * Flowsight's configuration, from environment variables validated once at start-up. Every bad
 * value is reported with the variable's name and what a valid one looks like; secrets are never
 * echoed back.
 */

import fs from 'node:fs';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { AzureConfigError, azureSettingsFromEnv, type ArmSettings } from '../azure/source-from-env';
import { MAX_SCALE, MIN_SCALE } from '../demo/scaled-scenario';
import { parseRelayAddress, RelayAddressError, type RelayAddress } from '../hubble/relay-address';
import { DATAPATH_SETTINGS, parseDatapathSetting, type DatapathSetting } from '../policy-engine/datapath';
import { DEFAULT_BATCHING } from '../history/sql-flow-store';
import { redactedUrl } from '../util/redacted-url';
import { authConfig, authSummary, type AuthConfig } from './access/config-auth';
import { defaultHeapMB, MAX_HEAP_MB, MIN_HEAP_MB } from './heap-budget';
import { LOG_LEVELS, type LogLevel } from './logger';

export interface RelayConfig {
  /** `demo`: the built-in demo relay on loopback; `relay`: a real Hubble Relay. */
  mode: 'demo' | 'relay';
  /** FLOWSIGHT_RELAY as given (the demo's is only known once it listens). */
  address: string;
  /** The address parsed once, here: what the relay client dials. Null for the demo relay. */
  target: RelayAddress | null;
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string } | null;
  /** Where the TLS material was read from (paths are not secrets; the start-up summary names them). */
  tlsFiles: { ca?: string; cert?: string; key?: string } | null;
}

/** Where flow history is kept (lib/history) and for how long. */
export interface HistoryConfig {
  /** `chdb`: embedded under `dir` (default); `clickhouse`: a server at `clickhouseUrl`; `off`: FLOWSIGHT_HISTORY=off. */
  kind: 'chdb' | 'clickhouse' | 'off';
  /** FLOWSIGHT_DATA_DIR (default ./data): the embedded store lives in `<dir>/history`. */
  dir: string;
  /** FLOWSIGHT_CLICKHOUSE_URL; may carry credentials, so it is never logged as given. */
  clickhouseUrl: string | null;
  /** FLOWSIGHT_RETENTION_DAYS (default 7). */
  retentionDays: number;
  /** FLOWSIGHT_RETENTION_MAX_GB (default 5), in bytes. */
  maxBytes: number;
  /** FLOWSIGHT_ROLLUP_AFTER_MINUTES: allowed flows older than this keep only per-edge-per-minute counts (null: keep them). */
  rollupAfterMinutes: number | null;
  /**
   * FLOWSIGHT_HISTORY_FLUSH_MS (default 5000): how long flows gather before they are written as one
   * block, so how late a search sees them. Every block is a part the engine later merges, and at a
   * second each the merges cost a third of a core at 5,000 workloads (docs/HISTORY.md).
   */
  flushMs: number;
  /**
   * FLOWSIGHT_HISTORY_WRITE (default on): whether this process writes the flows it sees. Replicas
   * sharing one ClickHouse history see the same relay: exactly one writes, the others only read.
   */
  write: boolean;
}

export interface Config {
  relay: RelayConfig;
  history: HistoryConfig;
  /** FLOWSIGHT_OBSERVER_PORT: serve Cilium's observer API from the history on this port (null: off). */
  observerPort: number | null;
  demoRate: number;
  /**
   * FLOWSIGHT_DEMO_SCALE: the demo cluster's size in application workloads (lib/demo/scaled-scenario.ts);
   * 0 (default): the hand-written demo. The demo relay's flows and the demo cluster source follow it.
   */
  demoScale: number;
  windowSeconds: number;
  /** No flow from the relay this long: ask its ServerStatus whether the cluster is idle or the stream dead (0 = never). */
  relayIdleSeconds: number;
  /** A relay that neither answers GetFlows nor ServerStatus this long is reported as not answering. */
  relayConnectTimeoutSeconds: number;
  /**
   * FLOWSIGHT_INGEST_MAX_BUSY_PERCENT: busy share of the server's event loop above which reading from
   * the relay pauses, so pages and the live stream keep being served (ingest-governor.ts); 100: never.
   */
  ingestMaxBusyPercent: number;
  host: string;
  port: number;
  /** FLOWSIGHT_TLS_CERT and FLOWSIGHT_TLS_KEY: serve HTTPS with this certificate (PEM files, reloaded when they change); null: HTTP. */
  listenTls: { certFile: string; keyFile: string } | null;
  /** Bearer token required on every request when set (off loopback, it or OIDC or a trusted proxy is mandatory). */
  authToken: string | null;
  /** Everything else about who may sign in and what they see (config-auth.ts). */
  auth: AuthConfig;
  manifests: string | null;
  /** FLOWSIGHT_AZURE_DIR: a directory of `az -o json` exports (the Azure source when set). */
  azureDir: string | null;
  /** FLOWSIGHT_AZURE_SUBSCRIPTION and friends: the live ARM source when set. Neither: the demo's Azure model. */
  azureArm: ArmSettings | null;
  /** FLOWSIGHT_LOG_LEVEL: pino's level (`silent` turns logs off). */
  logLevel: LogLevel;
  /** FLOWSIGHT_DATAPATH: the policy semantics to model (`auto`: detect from the cluster and the relay). */
  datapath: DatapathSetting;
  /** CHROMIUM_PATH (default /usr/bin/chromium): the browser that renders evidence reports' map and PDF. */
  chromiumPath: string;
  /** FLOWSIGHT_HEAP_MB: the server's JS heap budget, which scripts/start.mjs passes to Node (heap-budget.ts). */
  heapMB: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const LOG_LEVEL = z.enum(LOG_LEVELS).default('info');

/** Environment variables as read: any may be missing. */
export type Env = Record<string, string | undefined>;

const LOOPBACK = new Set(['localhost', '::1', '[::1]']);

/**
 * True only for `localhost` and literal loopback addresses (127.0.0.0/8, ::1): a name such as
 * `127.evil.example` resolves wherever its owner likes, so it needs the token like any other host.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (LOOPBACK.has(h)) return true;
  const bare = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare).range() === 'loopback';
  if (!ipaddr.IPv6.isValid(bare)) return false;
  const v6 = ipaddr.IPv6.parse(bare);
  return v6.range() === 'loopback' || (v6.isIPv4MappedAddress() && v6.toIPv4Address().range() === 'loopback');
}

function readPem(variable: string, path: string | undefined, kind: 'CERTIFICATE' | 'PRIVATE KEY', problems: ConfigError['problems']): Buffer | undefined {
  if (!path) return undefined;
  let data: Buffer;
  try {
    data = fs.readFileSync(path);
  } catch (e) {
    problems.push({ variable, message: `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
    return undefined;
  }
  const text = data.toString('utf8');
  const ok = kind === 'CERTIFICATE' ? text.includes('-----BEGIN CERTIFICATE-----') : /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text);
  if (!ok) problems.push({ variable, message: `${path} is not a PEM ${kind.toLowerCase()}` });
  return data;
}

function intVar(env: Env, variable: string, fallback: number, min: number, max: number, problems: ConfigError['problems']): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    problems.push({ variable, message: `"${raw}" is not an integer from ${min} to ${max}` });
    return fallback;
  }
  return n;
}

/** FLOWSIGHT_DEMO_SCALE: 0 or unset for the hand-written demo, else MIN_SCALE..MAX_SCALE workloads. */
function demoScaleVar(env: Env, problems: ConfigError['problems']): number {
  const raw = env.FLOWSIGHT_DEMO_SCALE;
  if (raw === undefined || raw.trim() === '') return 0;
  const n = Number(raw.trim());
  if (/^\d+$/.test(raw.trim()) && (n === 0 || (n >= MIN_SCALE && n <= MAX_SCALE))) return n;
  problems.push({ variable: 'FLOWSIGHT_DEMO_SCALE', message: `"${raw}" is not 0 (the hand-written demo) or a number of workloads from ${MIN_SCALE} to ${MAX_SCALE}` });
  return 0;
}

export interface LoadConfigOptions {
  /**
   * Check that FLOWSIGHT_MANIFESTS and FLOWSIGHT_AZURE_DIR exist on disk (default: yes, at start-up).
   * Services built later pass false: a path that vanishes afterwards is an error their source reports.
   */
  checkPaths?: boolean;
  /** The memory this process may use, in bytes (default: process.constrainedMemory(), the container's limit). */
  memoryLimitBytes?: number;
}

/** A problem with a path variable, or undefined when it names what it should (stat follows links, never opens). */
function pathProblem(raw: string, want: 'file-or-directory' | 'directory'): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(raw);
  } catch (e) {
    return `cannot read ${raw} (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (stat.isDirectory() || (want === 'file-or-directory' && stat.isFile())) return undefined;
  return `${raw} is not ${want === 'directory' ? 'a directory' : 'a regular file or a directory'}`;
}

function historyConfig(env: Env, problems: ConfigError['problems']): HistoryConfig {
  const switchValue = env.FLOWSIGHT_HISTORY?.trim().toLowerCase() || 'on';
  if (switchValue !== 'on' && switchValue !== 'off') problems.push({ variable: 'FLOWSIGHT_HISTORY', message: `"${env.FLOWSIGHT_HISTORY}" is not on or off` });
  const clickhouseUrl = env.FLOWSIGHT_CLICKHOUSE_URL?.trim() || null;
  if (clickhouseUrl) {
    let url: URL | null = null;
    try {
      url = new URL(clickhouseUrl);
    } catch {
      problems.push({ variable: 'FLOWSIGHT_CLICKHOUSE_URL', message: 'is not a URL (expected http(s)://host:8123)' });
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') problems.push({ variable: 'FLOWSIGHT_CLICKHOUSE_URL', message: `${url.protocol} is not http: or https:` });
  }
  const rollup = env.FLOWSIGHT_ROLLUP_AFTER_MINUTES?.trim();
  const write = env.FLOWSIGHT_HISTORY_WRITE?.trim().toLowerCase() || 'on';
  if (write !== 'on' && write !== 'off') problems.push({ variable: 'FLOWSIGHT_HISTORY_WRITE', message: `"${env.FLOWSIGHT_HISTORY_WRITE}" is not on or off` });
  return {
    kind: switchValue === 'off' ? 'off' : clickhouseUrl ? 'clickhouse' : 'chdb',
    dir: env.FLOWSIGHT_DATA_DIR?.trim() || './data',
    clickhouseUrl,
    retentionDays: intVar(env, 'FLOWSIGHT_RETENTION_DAYS', 7, 1, 3650, problems),
    maxBytes: intVar(env, 'FLOWSIGHT_RETENTION_MAX_GB', 5, 1, 100_000, problems) * 1024 ** 3,
    rollupAfterMinutes: rollup ? intVar(env, 'FLOWSIGHT_ROLLUP_AFTER_MINUTES', 60, 1, 525_600, problems) : null,
    flushMs: intVar(env, 'FLOWSIGHT_HISTORY_FLUSH_MS', DEFAULT_BATCHING.flushMs, 100, 60_000, problems),
    write: write !== 'off',
  };
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const problems: ConfigError['problems'] = [];
  const rawRelay = env.FLOWSIGHT_RELAY?.trim() ?? '';
  let relay: RelayConfig = { mode: 'demo', address: '127.0.0.1:0', target: null, tls: null, tlsFiles: null };
  if (rawRelay !== '' && rawRelay !== 'demo') {
    try {
      const addr = parseRelayAddress(rawRelay);
      relay = { mode: 'relay', address: rawRelay, target: addr, tls: null, tlsFiles: null };
      const ca = readPem('FLOWSIGHT_RELAY_TLS_CA', env.FLOWSIGHT_RELAY_TLS_CA, 'CERTIFICATE', problems);
      const cert = readPem('FLOWSIGHT_RELAY_TLS_CERT', env.FLOWSIGHT_RELAY_TLS_CERT, 'CERTIFICATE', problems);
      const key = readPem('FLOWSIGHT_RELAY_TLS_KEY', env.FLOWSIGHT_RELAY_TLS_KEY, 'PRIVATE KEY', problems);
      if (!!env.FLOWSIGHT_RELAY_TLS_CERT !== !!env.FLOWSIGHT_RELAY_TLS_KEY) {
        problems.push({ variable: env.FLOWSIGHT_RELAY_TLS_CERT ? 'FLOWSIGHT_RELAY_TLS_KEY' : 'FLOWSIGHT_RELAY_TLS_CERT', message: 'mTLS needs both FLOWSIGHT_RELAY_TLS_CERT and FLOWSIGHT_RELAY_TLS_KEY' });
      }
      const serverName = env.FLOWSIGHT_RELAY_TLS_SERVER_NAME?.trim() || undefined;
      if (serverName && !/^[A-Za-z0-9*.-]+$/.test(serverName)) problems.push({ variable: 'FLOWSIGHT_RELAY_TLS_SERVER_NAME', message: `"${serverName}" is not a DNS name` });
      if (addr.tls || ca || cert || key || serverName) relay.tls = { ca, cert, key, serverName };
      const files = { ca: env.FLOWSIGHT_RELAY_TLS_CA, cert: env.FLOWSIGHT_RELAY_TLS_CERT, key: env.FLOWSIGHT_RELAY_TLS_KEY };
      if (files.ca || files.cert || files.key) relay.tlsFiles = Object.fromEntries(Object.entries(files).filter(([, v]) => v)) as RelayConfig['tlsFiles'];
    } catch (e) {
      if (!(e instanceof RelayAddressError)) throw e;
      problems.push({ variable: 'FLOWSIGHT_RELAY', message: e.message });
    }
  } else {
    for (const v of ['FLOWSIGHT_RELAY_TLS_CA', 'FLOWSIGHT_RELAY_TLS_CERT', 'FLOWSIGHT_RELAY_TLS_KEY'] as const) {
      if (env[v]) problems.push({ variable: v, message: 'set, but FLOWSIGHT_RELAY is not: TLS settings apply to a real relay only' });
    }
  }
  const host = env.FLOWSIGHT_HOST?.trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) problems.push({ variable: 'FLOWSIGHT_HOST', message: `"${host}" is not a host name or IP address` });
  const certFile = env.FLOWSIGHT_TLS_CERT?.trim() || undefined;
  const keyFile = env.FLOWSIGHT_TLS_KEY?.trim() || undefined;
  readPem('FLOWSIGHT_TLS_CERT', certFile, 'CERTIFICATE', problems);
  readPem('FLOWSIGHT_TLS_KEY', keyFile, 'PRIVATE KEY', problems);
  if (!!certFile !== !!keyFile) {
    problems.push({ variable: certFile ? 'FLOWSIGHT_TLS_KEY' : 'FLOWSIGHT_TLS_CERT', message: 'HTTPS needs both FLOWSIGHT_TLS_CERT and FLOWSIGHT_TLS_KEY' });
  }
  const auth = authConfig(env, isLoopbackHost, host, problems);
  const config: Config = {
    relay,
    history: historyConfig(env, problems),
    observerPort: env.FLOWSIGHT_OBSERVER_PORT?.trim() ? intVar(env, 'FLOWSIGHT_OBSERVER_PORT', 0, 1, 65535, problems) : null,
    demoRate: intVar(env, 'FLOWSIGHT_DEMO_RATE', 150, 1, 1_000_000, problems),
    demoScale: demoScaleVar(env, problems),
    windowSeconds: intVar(env, 'FLOWSIGHT_WINDOW_SECONDS', 300, 10, 86_400, problems),
    relayIdleSeconds: intVar(env, 'FLOWSIGHT_RELAY_IDLE_SECONDS', 15, 0, 86_400, problems),
    relayConnectTimeoutSeconds: intVar(env, 'FLOWSIGHT_RELAY_CONNECT_TIMEOUT_SECONDS', 10, 1, 3600, problems),
    ingestMaxBusyPercent: intVar(env, 'FLOWSIGHT_INGEST_MAX_BUSY_PERCENT', 85, 10, 100, problems),
    host,
    port: intVar(env, 'PORT', 3000, 1, 65535, problems),
    listenTls: certFile && keyFile ? { certFile, keyFile } : null,
    authToken: auth.authToken,
    auth,
    manifests: env.FLOWSIGHT_MANIFESTS?.trim() || null,
    azureDir: env.FLOWSIGHT_AZURE_DIR?.trim() || null,
    azureArm: null,
    logLevel: 'info',
    datapath: 'auto',
    chromiumPath: env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium',
    heapMB: intVar(env, 'FLOWSIGHT_HEAP_MB', defaultHeapMB(options.memoryLimitBytes ?? process.constrainedMemory?.()), MIN_HEAP_MB, MAX_HEAP_MB, problems),
  };
  const logLevel = LOG_LEVEL.safeParse(env.FLOWSIGHT_LOG_LEVEL?.trim().toLowerCase() || undefined);
  if (logLevel.success) config.logLevel = logLevel.data;
  else problems.push({ variable: 'FLOWSIGHT_LOG_LEVEL', message: `"${env.FLOWSIGHT_LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}` });
  const rawDatapath = env.FLOWSIGHT_DATAPATH?.trim();
  if (rawDatapath) {
    const datapath = parseDatapathSetting(rawDatapath);
    if (datapath) config.datapath = datapath;
    else problems.push({ variable: 'FLOWSIGHT_DATAPATH', message: `"${rawDatapath}" is not one of ${DATAPATH_SETTINGS.join(', ')}` });
  }
  try {
    const azure = azureSettingsFromEnv(env);
    config.azureDir = azure.dir;
    config.azureArm = azure.arm;
  } catch (e) {
    if (!(e instanceof AzureConfigError)) throw e;
    const variable = /FLOWSIGHT_AZURE_[A-Z_]+/.exec(e.message)?.[0] ?? 'FLOWSIGHT_AZURE_DIR';
    problems.push({ variable, message: e.message });
  }
  if (config.observerPort !== null && config.authToken === null && (auth.oidc || auth.trustedProxy)) {
    // The observer API (gRPC, for `hubble observe`) checks the shared token only; without one it would be open.
    problems.push({ variable: 'FLOWSIGHT_OBSERVER_PORT', message: 'needs FLOWSIGHT_AUTH_TOKEN when sign-in is on: the observer API accepts the shared token only' });
  }
  if (options.checkPaths !== false) {
    const manifestsProblem = config.manifests ? pathProblem(config.manifests, 'file-or-directory') : undefined;
    if (manifestsProblem) problems.push({ variable: 'FLOWSIGHT_MANIFESTS', message: manifestsProblem });
    const azureDirProblem = config.azureDir ? pathProblem(config.azureDir, 'directory') : undefined;
    if (azureDirProblem) problems.push({ variable: 'FLOWSIGHT_AZURE_DIR', message: azureDirProblem });
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * What the server logs at start-up: every setting that explains its behaviour, and no secret (the
 * token appears only as whether auth is on; TLS material only as the files it came from).
 */
export function configSummary(config: Config): Record<string, unknown> {
  const r = config.relay;
  return {
    relay: {
      mode: r.mode,
      ...(r.mode === 'relay' ? { address: r.address } : {}),
      tls: r.tls !== null,
      ...(r.tlsFiles?.ca ? { caFile: r.tlsFiles.ca } : {}),
      ...(r.tlsFiles?.cert ? { certFile: r.tlsFiles.cert } : {}),
      ...(r.tlsFiles?.key ? { keyFile: r.tlsFiles.key } : {}),
      ...(r.tls?.serverName ? { serverName: r.tls.serverName } : {}),
      idleSeconds: config.relayIdleSeconds,
      connectTimeoutSeconds: config.relayConnectTimeoutSeconds,
      ingestMaxBusyPercent: config.ingestMaxBusyPercent,
    },
    ...(r.mode === 'demo' ? { demoRate: config.demoRate, ...(config.demoScale ? { demoScale: config.demoScale } : {}) } : {}),
    listen: { host: config.host, port: config.port, ...(config.listenTls ? { https: true, certFile: config.listenTls.certFile, keyFile: config.listenTls.keyFile } : {}) },
    authRequired: config.authToken !== null || config.auth.oidc !== null || config.auth.trustedProxy !== null,
    auth: authSummary(config.auth),
    windowSeconds: config.windowSeconds,
    cluster: config.manifests ? { source: 'manifests', path: config.manifests } : { source: r.mode === 'relay' ? 'live' : 'demo' },
    azure: config.azureDir
      ? { source: 'files', dir: config.azureDir }
      : config.azureArm
        ? { source: 'arm', subscription: config.azureArm.subscriptionId, resourceGroups: config.azureArm.resourceGroups, ...(config.azureArm.endpoint ? { endpoint: config.azureArm.endpoint } : {}) }
        : { source: 'demo' },
    datapath: config.datapath,
    heapMB: config.heapMB,
    logLevel: config.logLevel,
    history: historySummary(config.history),
    ...(config.observerPort !== null ? { observerPort: config.observerPort } : {}),
  };
}

function historySummary(h: HistoryConfig): Record<string, unknown> {
  if (h.kind === 'off') return { store: 'off' };
  return {
    store: h.kind,
    ...(h.kind === 'chdb' ? { dir: h.dir } : { url: redactedUrl(h.clickhouseUrl ?? '') }),
    retentionDays: h.retentionDays,
    maxGB: h.maxBytes / 1024 ** 3,
    ...(h.rollupAfterMinutes !== null ? { rollupAfterMinutes: h.rollupAfterMinutes } : {}),
    flushMs: h.flushMs,
    ...(h.write ? {} : { write: false }),
  };
}
