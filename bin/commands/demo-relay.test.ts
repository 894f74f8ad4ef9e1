/**
 * `flowsight demo-relay --scale N --write-manifests DIR`: a generated cluster served as a Hubble Relay, and
 * its manifests for FLOWSIGHT_MANIFESTS, so that a separate relay and the dashboard describe one cluster.
 * Bad input exits 2 naming the option (ARCHITECTURE.md: "a CLI run on bad input exits 2").
 */

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../lib/flows/flow-record';
import { RelayClient } from '../../lib/hubble/relay-client';
import { ManifestsSource } from '../../lib/k8s/manifests-source';
import { runCli } from './testing/run-cli';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'bin', 'flowsight.mjs');

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-demo-relay-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the relay in its own process (it runs until stopped) and resolves with its first line. */
function startRelay(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, 'demo-relay', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', (d) => resolve({ child, line: String(d) }));
    child.once('exit', (code) => reject(new Error(`demo-relay exited ${code}: ${err}`)));
  });
}

function flowsFrom(address: string, number: number): Promise<FlowRecord[]> {
  const client = new RelayClient({ address });
  cleanups.push(() => client.close());
  return new Promise((resolve, reject) => {
    const out: FlowRecord[] = [];
    client.getFlows({ number }, { onFlow: (f) => out.push(f), onEnd: (err) => (err ? reject(err) : resolve(out)) });
  });
}

describe('flowsight demo-relay', () => {
  it.each([
    [['--scale', '5'], /--scale must be an integer from 10 to 20000/],
    [['--scale', '20001'], /--scale must be an integer from 10 to 20000/],
    [['--scale', 'lots'], /--scale must be an integer from 10 to 20000/],
    [['--scale', '-3'], /--scale/],
  ])('exits 2 naming the option for %o', async (args, message) => {
    const r = await runCli(['demo-relay', '--port', '0', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('refuses to write manifests into a directory it did not write (exit 2, naming --write-manifests)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'mine.yaml'), 'kind: Namespace\n');
    const r = await runCli(['demo-relay', '--port', '0', '--scale', '10', '--write-manifests', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--write-manifests: .* is not empty/);
    expect(fs.readdirSync(dir)).toEqual(['mine.yaml']);
  });

  it('serves the scaled cluster\'s flows, between the pods of the manifests it wrote; a second run replaces them', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const first = await startRelay(['--scale', '200', '--rate', '2000', '--write-manifests', dir]);
    expect(first.line).toMatch(/^demo relay listening on 127\.0\.0\.1:\d+ \(2000 flows\/s; 200 workloads, \d+ pods in 7 namespaces; 8 manifest files in /);
    const address = `127.0.0.1:${/:(\d+) /.exec(first.line)![1]}`;
    const flows = await flowsFrom(address, 3000);
    expect(flows.length).toBe(3000);

    const source = new ManifestsSource(dir, { parser: 'inline' });
    await source.start();
    const snapshot = source.snapshot();
    await source.stop();
    expect(source.status().errors).toEqual([]);
    const pods = new Map(snapshot.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
    for (const f of flows) {
      for (const ep of [f.source, f.destination]) {
        if (!ep.pod) continue;
        const pod = pods.get(`${ep.namespace}/${ep.pod}`);
        expect(pod, `${ep.namespace}/${ep.pod}`).toBeDefined();
        expect(pod!.ip).toBe(ep.ip);
      }
    }
    expect(new Set(flows.filter((f) => f.source.pod).map((f) => f.source.namespace)).size).toBeGreaterThan(4);
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));

    // Same directory again, another size: the earlier files are replaced, none left over.
    const second = await startRelay(['--scale', '60', '--rate', '100', '--write-manifests', dir]);
    expect(second.line).toMatch(/60 workloads, \d+ pods in 5 namespaces; 6 manifest files/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))).toHaveLength(6);
  });
});
