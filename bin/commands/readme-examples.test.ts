/**
 * Every `flowsight` / `npx flowsight` command in README.md's code blocks runs as written from the checkout,
 * on the sample inputs in examples/, through the real entry point (bin/flowsight.mjs, what `npx flowsight`
 * runs), and ends with the exit code the README states (a trailing `# exits N ...` comment; 0 otherwise)
 * and some output. So the README cannot drift from the CLI again.
 *
 * One liberty: the README's relay port 4245 is replaced by a free port, so the test never collides with
 * a relay already running on the machine. Commands that run until stopped (`demo-relay`, `--follow`) must
 * print something, then are stopped.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeCommands, shellWords } from './testing/readme-commands';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'bin', 'flowsight.mjs');
const README_PORT = '4245';
/** `flowsight query` needs a running dashboard: e2e/cli-query.spec.ts runs those lines against the e2e one. */
const NEEDS_DASHBOARD = new Set(['query', 'report']);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const childEnv = () => {
  const env = { ...process.env };
  delete env.FLOWSIGHT_MANIFESTS; // the CLI's --manifests falls back to it: the README's lines must stand alone
  return env;
};

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

/** Starts a command that runs until stopped and resolves with its first output, leaving it running. */
function startUntilOutput(args: string[], timeoutMs: number): Promise<{ child: ChildProcess; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`no output within ${timeoutMs} ms from flowsight ${args.join(' ')}\n${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', (d) => {
      clearTimeout(timer);
      resolve({ child, first: String(d) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`flowsight ${args.join(' ')} exited ${code} before printing anything\n${err}`));
    });
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

describe('shellWords / readmeCommands', () => {
  it('keeps quoted globs whole and reads the stated exit code from the comment', () => {
    const [a, b] = readmeCommands("```bash\nnpx flowsight observe --to-fqdn '*.github.com' --follow   # runs until stopped\nflowsight findings --fail-on high  # exits 1 when a high finding exists\n```\nnpx flowsight outside a block\n");
    expect(a).toMatchObject({ args: ['observe', '--to-fqdn', '*.github.com', '--follow'], exitCode: 0, longRunning: true });
    expect(b).toMatchObject({ args: ['findings', '--fail-on', 'high'], exitCode: 1, longRunning: false });
  });
});

const commands = readmeCommands(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).filter((c) => !NEEDS_DASHBOARD.has(c.args[0]));

describe('README CLI examples run as written on examples/', () => {
  let port = '';
  const running: ChildProcess[] = [];
  const withPort = (args: string[]) => args.map((a) => a.replace(README_PORT, port));

  beforeAll(async () => {
    port = String(await freePort());
    // The relay the observe examples talk to is the README's own demo-relay line.
    for (const c of commands.filter((c) => c.args[0] === 'demo-relay')) running.push((await startUntilOutput(withPort(c.args), 60_000)).child);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(running.map(stop));
  });

  it('covers every subcommand, and every file or directory it names exists in the checkout', () => {
    expect(new Set(commands.map((c) => c.args[0]))).toEqual(new Set(['demo-relay', 'observe', 'evaluate', 'findings', 'simulate', 'recommend']));
    for (const c of commands) {
      for (const a of c.args.filter((x) => x.startsWith('examples/'))) expect(fs.existsSync(path.join(ROOT, a)), `${a} in: ${c.line}`).toBe(true);
    }
  });

  it.each(commands.filter((c) => !c.longRunning).map((c) => [c.line, c] as const))('%s', async (_line, c) => {
    const r = await run(withPort(c.args));
    expect(r.code, `stderr: ${r.err}`).toBe(c.exitCode);
    // Bad input (exit 2) is explained on stderr; everything else answers on stdout.
    expect((c.exitCode === 2 ? r.err : r.out).trim().length).toBeGreaterThan(0);
  }, 90_000);

  it.each(commands.filter((c) => c.longRunning && c.args[0] !== 'demo-relay').map((c) => [c.line, c] as const))('%s (stopped after its first output)', async (_line, c) => {
    const { child, first } = await startUntilOutput(withPort(c.args), 60_000);
    await stop(child);
    expect(first.trim().length).toBeGreaterThan(0);
  }, 90_000);
});

describe('running the CLI from outside the checkout (npm link / npm i -g .)', () => {
  it('the entry point resolves its sources relative to itself, not the working directory', () => {
    const r = spawnSync(process.execPath, [ENTRY, 'findings', '--manifests', path.join(ROOT, 'examples', 'k8s'), '-o', 'json'], { cwd: os.tmpdir(), env: childEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).scores.cluster.score).toBeGreaterThan(0);
  });

  it('package.json names it as the `flowsight` bin, executable with a node shebang', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(path.resolve(ROOT, pkg.bin.flowsight)).toBe(ENTRY);
    expect(fs.readFileSync(ENTRY, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(ENTRY).mode & 0o111).not.toBe(0);
  });
});
