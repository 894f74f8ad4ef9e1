#!/usr/bin/env node
// `npm start`: validate the configuration, build when the source changed since the last build (or on
// FLOWSIGHT_REBUILD=1), then serve the dashboard.
// Binds to FLOWSIGHT_HOST (default 127.0.0.1, loopback only) on PORT (default 3000).
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { buildDecision, readStamp, sourceStamp, writeStamp } from './build-stamp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadConfig, ConfigError } = await tsImport('../lib/server/config.ts', import.meta.url);
let config;
try {
  config = loadConfig(process.env);
} catch (e) {
  if (e instanceof ConfigError || e?.name === 'ConfigError') {
    console.error(`flowsight: invalid configuration\n${e.message}`);
    process.exit(2);
  }
  throw e;
}
const next = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
// A `git pull` changes the source under an existing build: compare a hash of what the build reads with
// the one recorded beside the build, so the dashboard never serves code older than the checkout.
const distDir = path.join(root, process.env.FLOWSIGHT_DIST_DIR || '.next');
const currentStamp = sourceStamp(root);
const decision = buildDecision({ hasBuild: fs.existsSync(path.join(distDir, 'BUILD_ID')), recordedStamp: readStamp(distDir), currentStamp, rebuild: process.env.FLOWSIGHT_REBUILD });
if (decision.build) {
  console.log(`flowsight: building the dashboard (${decision.reason})…`);
  const build = spawnSync(process.execPath, [next, 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeStamp(distDir, currentStamp);
} else if (process.env.FLOWSIGHT_REBUILD === '0') {
  console.log(`flowsight: ${decision.reason}`);
}
const scheme = config.listenTls ? 'https' : 'http';
console.log(`flowsight: ${config.relay.mode === 'demo' ? 'demo relay (FLOWSIGHT_RELAY not set)' : `relay ${config.relay.address}`} · ${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`);
// A 64 MB young generation: flows live just long enough (ring buffers) to be promoted by V8's
// default 16 MB one, and the ingest benchmark measured ~+15-20% flows/s with it.
// NEXT_MANUAL_SIG_HANDLE: Next leaves SIGTERM/SIGINT to the app (instrumentation.ts), which writes
// the flows still queued for the history before exiting; Next's own handler would exit without.
// scripts/serve.mjs: the Next server inside Node's own http or https server (`next start` serves
// HTTP only and cannot tell the Next app the TCP peer, which the trusted-proxy check needs).
const server = [path.join(root, 'scripts', 'serve.mjs'), config.host, String(config.port), ...(config.listenTls ? [config.listenTls.certFile, config.listenTls.keyFile] : [])];
// --max-old-space-size: the heap budget (FLOWSIGHT_HEAP_MB, lib/server/heap-budget.ts). Without it V8
// sizes the heap from the machine's memory, not the container's, and the resident size climbs.
const child = spawn(process.execPath, ['--max-semi-space-size=64', `--max-old-space-size=${config.heapMB}`, ...server], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: 'true' },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
