import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { flow, pod } from '../testing/flow-fixtures';
import { openChdbEngine } from './chdb-engine';
import { EngineError, type HistoryEngine } from './engine';
import { openFlowStore, prepareSchema } from './open-store';
import { SqlFlowStore } from './sql-flow-store';

const root = mkdtempSync(path.join(tmpdir(), 'flowsight-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RETENTION = { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null };
const a = pod('faults', 'client-6d8f9c7b5-abcde');
const b = pod('faults', 'server-7f9d8c6b4-fghij');
let seq = 0;
const batch = (n: number) => Array.from({ length: n }, () => flow(a, b, { uuid: `fault-${seq++}`, time: Date.now() - 5000 }));

/** The number of rows `flows` holds (through a store's status, which counts them). */
async function storedCount(store: { refreshStatus(): Promise<{ storedFlows: number }> }): Promise<number> {
  return (await store.refreshStatus()).storedFlows;
}

describe('crash recovery', () => {
  it('keeps what was written before a SIGKILL mid-write, reopens and continues', async () => {
    const dir = path.join(root, 'crash');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'testing/fill-store.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    let written = 0;
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the writer did not get going: ${stderr}`)), 60_000);
      lines.on('line', (line) => {
        const m = JSON.parse(line) as { written?: number };
        if (typeof m.written === 'number') written = m.written;
        // Several batches in, while it is still appending and writing.
        if (written >= 5000) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`the writer exited early (${code}): ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const confirmed = written;

    const store = await openFlowStore({ kind: 'chdb', dir, retention: RETENTION });
    try {
      const after = await storedCount(store);
      expect(after).toBeGreaterThanOrEqual(confirmed);
      // At most what was in flight beyond the last confirmation: the queue (<= 1000 per batch here) and one write.
      expect(after - confirmed).toBeLessThan(20_000);
      expect(readdirSync(root).some((n) => n.startsWith('crash.corrupt-'))).toBe(false);
      store.append(batch(300));
      await store.flush();
      expect(await storedCount(store)).toBe(after + 300);
    } finally {
      await store.close();
    }
  }, 90_000);
});

describe('an unreadable store', () => {
  it('is moved aside (never deleted) with a clear warning, and a fresh store starts', async () => {
    const dir = path.join(root, 'corrupt');
    mkdirSync(path.join(dir, 'metadata'), { recursive: true });
    // What a half-written or foreign directory can look like: table metadata that is not SQL.
    writeFileSync(path.join(dir, 'metadata', 'default.sql'), 'ATTACH DATABASE \u0000\u0001 garbage ENGINE = Nonsense(');
    writeFileSync(path.join(dir, 'metadata', 'flows.sql'), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x42]));
    writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    const warnings: { obj: object; msg?: string }[] = [];
    const logger = { warn: (obj: object, msg?: string) => void warnings.push({ obj, msg }), info: () => undefined };
    const store = await openFlowStore({ kind: 'chdb', dir, retention: RETENTION }, logger);
    try {
      const aside = readdirSync(root).filter((n) => n.startsWith('corrupt.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(path.join(root, aside[0], 'precious.txt'), 'utf8')).toBe('keep me');
      expect(warnings.some((w) => /cannot be opened/.test(w.msg ?? '') && JSON.stringify(w.obj).includes(aside[0]))).toBe(true);
      store.append(batch(10));
      await store.flush();
      expect(await storedCount(store)).toBe(10);
    } finally {
      await store.close();
    }
  }, 60_000);
});

/** The real embedded engine with a fault switched on at its edge: inserts fail as ClickHouse fails them, or wait. */
function faultyEngine(engine: HistoryEngine) {
  const state = { diskFull: false, gate: null as Promise<void> | null, inserts: 0 };
  const wrapped: HistoryEngine = {
    ...engine,
    kind: engine.kind,
    location: engine.location,
    query: (sql, params, signal) => engine.query(sql, params, signal),
    exec: (sql, params) => engine.exec(sql, params),
    close: () => engine.close(),
    async insert(table, columns, lines) {
      state.inserts++;
      if (state.gate) await state.gate;
      if (state.diskFull) throw new EngineError('Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)', 243);
      return engine.insert(table, columns, lines);
    },
  };
  return { wrapped, state };
}

describe('disk full and writes falling behind', () => {
  it('pauses ingestion on a full disk, counts the dropped batches, answers reads, and resumes', async () => {
    const dir = path.join(root, 'diskfull');
    const engine = await openChdbEngine(dir);
    await prepareSchema(engine, 3650);
    let now = Date.now();
    const { wrapped, state } = faultyEngine(engine);
    const store = new SqlFlowStore(wrapped, { retention: RETENTION, batching: { flushMs: 10_000, maxBatchFlows: 100 }, timers: { pausedRetryMs: 30_000 }, now: () => now });
    try {
      store.append(batch(100));
      await store.flush();
      expect(store.status().writtenFlows).toBe(100);

      state.diskFull = true;
      store.append(batch(100));
      await store.flush();
      let s = store.status();
      expect(s.paused).toMatch(/disk full/);
      expect(s.droppedBatches).toBe(1);
      expect(s.droppedFlows).toBe(100);
      // While paused nothing is queued or tried: each batch is dropped and counted at once.
      const inserts = state.inserts;
      store.append(batch(40));
      store.append(batch(60));
      s = store.status();
      expect(s.pendingFlows).toBe(0);
      expect(s.droppedBatches).toBe(3);
      expect(s.droppedFlows).toBe(200);
      expect(state.inserts).toBe(inserts);
      // Reads keep working.
      expect((await store.search({ range: {}, limit: 1000 })).flows).toHaveLength(100);

      // The retry time passes; still full: paused again, one more batch counted.
      now += 30_001;
      store.append(batch(100));
      await store.flush();
      expect(store.status().paused).toMatch(/disk full/);
      expect(store.status().droppedBatches).toBe(4);

      // Space is back: the next retry writes and ingestion resumes.
      state.diskFull = false;
      now += 30_001;
      store.append(batch(100));
      await store.flush();
      s = store.status();
      expect(s.paused).toBeNull();
      expect(s.writtenFlows).toBe(200);
      expect(await storedCount(store)).toBe(200);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('drops whole batches beyond the pending cap instead of buffering without bound', async () => {
    const dir = path.join(root, 'diskfull'); // the same directory: the previous test's store is closed
    const engine = await openChdbEngine(dir);
    const { wrapped, state } = faultyEngine(engine);
    let release: () => void = () => undefined;
    state.gate = new Promise((r) => (release = r));
    const store = new SqlFlowStore(wrapped, { retention: RETENTION, batching: { flushMs: 5, maxBatchFlows: 200, maxPendingFlows: 1000 } });
    try {
      const before = await storedCount(store);
      let accepted = 0;
      let maxPending = 0;
      for (let i = 0; i < 30; i++) {
        const before = store.status().droppedFlows;
        store.append(batch(100));
        if (store.status().droppedFlows === before) accepted += 100;
        maxPending = Math.max(maxPending, store.status().pendingFlows);
      }
      const s = store.status();
      expect(maxPending).toBeLessThanOrEqual(1000);
      expect(s.droppedBatches).toBeGreaterThan(0);
      expect(s.droppedFlows).toBe(3000 - accepted);
      expect(s.droppedFlows % 100).toBe(0); // whole batches
      release();
      state.gate = null;
      await store.flush();
      expect(store.status().writtenFlows).toBe(accepted);
      expect(await storedCount(store)).toBe(before + accepted);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('errorText', () => {
  it('keeps logs and status printable when an error quotes a corrupt file', async () => {
    const { errorText } = await import('./engine');
    expect(errorText(new Error('failed at position 1 (\u00de\u00ad\u0000\u0001\ufffd): x\nstack'))).toBe('failed at position 1 (\u00de\u00ad???): x');
  });
});
