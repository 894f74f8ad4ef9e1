import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { freshDataDir } from './fixtures/data-dir';

// E2E_PORT serves the demo, +1 the external-relay dashboard, +2 and +3 the policies and auth specs' own.
const PORT = Number(process.env.E2E_PORT ?? 3310) + 4;
const base = `http://127.0.0.1:${PORT}`;

/** `npm start`'s launcher (scripts/start.mjs) on the existing build: what a pod runs. */
function start(dataDir: string, env: Record<string, string> = {}): { child: ChildProcess; log: () => string } {
  let log = '';
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    env: { ...process.env, NODE_ENV: 'production', PORT: String(PORT), FLOWSIGHT_REBUILD: '0', FLOWSIGHT_DEMO_RATE: '300', FLOWSIGHT_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that cleanup can end the launcher and the server it started.
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  return { child, log: () => log };
}

/** Ends the launcher and its server, whatever state they are in. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // a server the launcher left behind
    } catch {
      // the group is gone
    }
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

async function untilReady(): Promise<void> {
  await expect.poll(async () => fetch(`${base}/readyz`).then((r) => r.status, () => 0), { timeout: 60_000 }).toBe(200);
}

async function ingested(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('flowsight_flows_ingested_total{'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

test('SIGTERM to npm start writes the flows still queued for the history before the process exits', async () => {
  test.setTimeout(150_000);
  const dataDir = freshDataDir(PORT);
  const first = start(dataDir);
  let seen = 0;
  try {
    await untilReady();
    await expect.poll(ingested, { timeout: 20_000 }).toBeGreaterThan(500);
    seen = await ingested();
    // The store writes a block a second: at any moment up to a second of flows is only queued.
    first.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => first.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(first.log()).toContain('shut down cleanly');
  } finally {
    await kill(first.child);
  }

  // Reopened read-only (no new flows written): every flow counted before the signal is on disk.
  const second = start(dataDir, { FLOWSIGHT_HISTORY_WRITE: 'off' });
  try {
    await untilReady();
    const status = await (await fetch(`${base}/api/status`)).json();
    expect(status.history.storedFlows).toBeGreaterThanOrEqual(seen);
  } finally {
    await kill(second.child);
  }
});

test("npm start gives the server the heap budget of FLOWSIGHT_HEAP_MB: V8's limit, the start-up log and /metrics say so", async () => {
  test.setTimeout(90_000);
  const server = start(freshDataDir(PORT), { FLOWSIGHT_HEAP_MB: '700' });
  try {
    await untilReady();
    const text = await (await fetch(`${base}/metrics`)).text();
    const limit = Number(/^flowsight_nodejs_heap_limit_bytes (\d+)$/m.exec(text)?.[1]);
    // V8's limit is the old generation's budget plus the young generation (3 x the 64 MB semi-space).
    const MiB = 1024 * 1024;
    expect(limit).toBeGreaterThanOrEqual(700 * MiB);
    expect(limit).toBeLessThanOrEqual((700 + 3 * 64) * MiB);
    expect(server.log()).toContain('"heapMB":700');
  } finally {
    await kill(server.child);
  }
});
