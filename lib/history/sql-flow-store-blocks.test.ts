/**
 * The store's blocks: built in steps off the appending task (sql-flow-store.ts seal), with a second
 * writer filling the next block meanwhile. Every block the engine gets must hold exactly its flows,
 * in order, whichever writer built it and however often the writers were reused.
 */
import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { FlowGenerator } from '../demo/flow-generator';
import type { HistoryEngine } from './engine';
import { flowBlock } from './flow-block';
import { SqlFlowStore } from './sql-flow-store';

function recordingEngine(): { engine: HistoryEngine; blocks: Buffer[] } {
  const blocks: Buffer[] = [];
  const engine: HistoryEngine = {
    kind: 'chdb',
    location: 'memory',
    query: async () => [],
    exec: async () => undefined,
    insert: async (_table, _columns, block) => {
      blocks.push(Buffer.from(block));
    },
    close: async () => undefined,
  };
  return { engine, blocks };
}

const RETENTION = { days: 7, maxBytes: 1e12, rollupAfterMinutes: null };

describe('the store seals blocks', () => {
  const flows = new FlowGenerator(demoScenario(), 5).generate(40_000, 1_795_000_000_000, 1);

  it('writes each block with exactly its flows while the next one fills in another writer', async () => {
    const { engine, blocks } = recordingEngine();
    // Blocks of 12,000 flows take tens of milliseconds to build: more than one slice each.
    const store = new SqlFlowStore(engine, { retention: RETENTION, batching: { maxBatchFlows: 12_000, flushMs: 60_000, maxPendingFlows: 100_000 } });
    try {
      // Appended before the first block is written: sealed blocks build while the next ones fill.
      store.append(flows.slice(0, 15_000));
      store.append(flows.slice(15_000, 30_000));
      await store.flush();
      // Reused writers (emptied when they open their next block) give the same bytes as new ones.
      store.append(flows.slice(30_000, 40_000));
      await store.flush();
      const expected = [[0, 12_000], [12_000, 24_000], [24_000, 30_000], [30_000, 40_000]].map(([a, b]) => flowBlock(flows.slice(a, b)));
      expect(blocks).toHaveLength(expected.length);
      blocks.forEach((b, i) => expect(b.equals(expected[i]), `block ${i}`).toBe(true));
      const s = store.status();
      expect(s.writtenFlows).toBe(40_000);
      expect(s.pendingFlows).toBe(0);
      expect(s.droppedFlows).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('books a block whose build or write fails as dropped, and goes on with the next', async () => {
    const { engine, blocks } = recordingEngine();
    let fail = true;
    const failing: HistoryEngine = {
      ...engine,
      insert: async (table, columns, block) => {
        if (fail) {
          fail = false;
          throw new Error('write refused');
        }
        return engine.insert(table, columns, block);
      },
    };
    const store = new SqlFlowStore(failing, { retention: RETENTION, batching: { maxBatchFlows: 1000, flushMs: 60_000 } });
    try {
      store.append(flows.slice(0, 2000));
      await store.flush();
      const s = store.status();
      expect(s.droppedFlows).toBe(1000);
      expect(s.writtenFlows).toBe(1000);
      expect(s.error).toMatch(/write refused/);
      expect(blocks).toHaveLength(1);
      expect(blocks[0].equals(flowBlock(flows.slice(1000, 2000)))).toBe(true);
    } finally {
      await store.close();
    }
  });
});
