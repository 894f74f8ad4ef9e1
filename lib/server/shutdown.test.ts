import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openFlowStore } from '../history/open-store';
import { installGracefulShutdown } from './shutdown';

/** A stand-in process: signals are emitted by the test, exit() is recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exit = vi.fn();
  return { proc: { once: emitter.once.bind(emitter), exit } as unknown as Pick<NodeJS.Process, 'once' | 'exit'>, emitter, exit };
}

const log = { info: vi.fn(), error: vi.fn() };

describe('graceful shutdown', () => {
  it('stops the runtime on SIGTERM and exits 0 only once it has stopped', async () => {
    const { proc, emitter, exit } = fakeProcess();
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    installGracefulShutdown({ stop, log, process: proc });
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(stop).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(exit).not.toHaveBeenCalled();
    finish();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
  });

  it('exits 1 when stopping takes longer than the grace time, or fails', async () => {
    const slow = fakeProcess();
    installGracefulShutdown({ stop: () => new Promise(() => undefined), log, process: slow.proc, timeoutMs: 30 });
    slow.emitter.emit('SIGINT', 'SIGINT');
    await vi.waitFor(() => expect(slow.exit).toHaveBeenCalledWith(1));
    const failing = fakeProcess();
    installGracefulShutdown({ stop: () => Promise.reject(new Error('disk gone')), log, process: failing.proc });
    failing.emitter.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(failing.exit).toHaveBeenCalledWith(1));
  });

  it('ends at once on a second signal, without stopping twice', () => {
    const { proc, emitter, exit } = fakeProcess();
    const stop = vi.fn(() => new Promise<void>(() => undefined));
    installGracefulShutdown({ stop, log, process: proc });
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(exit).not.toHaveBeenCalled();
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledWith(1);
    expect(stop).toHaveBeenCalledTimes(1);
  });
});

describe('SIGTERM to a process with flows queued for the history', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'flowsight-shutdown-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes every queued flow before the process exits', async () => {
    const dir = path.join(root, 'store');
    const flows = 12_345;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'testing/shutdown-child.ts'), dir, String(flows)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const logLines: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const queued = await new Promise<{ queued: number; written: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child did not start: ${stderr}`)), 60_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        logLines.push(line);
        const m = JSON.parse(line) as { queued?: number; written?: number };
        if (typeof m.queued === 'number') {
          clearTimeout(timer);
          resolve({ queued: m.queued, written: m.written ?? 0 });
        }
      });
      void exited.then((code) => reject(new Error(`the child exited early (${code}): ${stderr}`)));
    });
    // Nothing written yet: all of it would be lost without the handler.
    expect(queued).toEqual({ queued: flows, written: 0 });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logLines.some((l) => l.includes('shut down cleanly'))).toBe(true);

    const store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null } });
    try {
      expect((await store.refreshStatus()).storedFlows).toBe(flows);
    } finally {
      await store.close();
    }
  }, 90_000);
});
