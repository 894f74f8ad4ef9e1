import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { FlowGenerator } from '../demo/flow-generator';
import type { FlowRecord } from '../flows/flow-record';
import { flow, pod, reserved, world } from '../testing/flow-fixtures';
import { openChdbEngine } from './chdb-engine';
import type { HistoryEngine } from './engine';
import { flowBlock, FlowBlockWriter } from './flow-block';
import { FLOW_COLUMN_NAMES, FLOW_ROW_PARTS, flowParts, flowToRow, rowToFlow, schemaStatements } from './schema';

/** Flows whose endpoints change under one labels array: the encoder's endpoint cache must notice each. */
function endpointVariants(): FlowRecord[] {
  const labels = ['k8s:app=api'];
  const a = pod('shop', 'api-7f9d8c6b4-aaaaa', { labels });
  // The decoder shares one frozen labels array between endpoints whose bytes carry no labels.
  const shared = Object.freeze([] as string[]);
  const peer = (ip: string) => ({ ...pod('x', 'y'), namespace: '', pod: '', ip, identity: 0, labels: shared as unknown as string[], workloads: [] });
  return [
    flow(a, world('api.stripe.com'), { uuid: 'v-0' }),
    flow({ ...a, pod: 'api-7f9d8c6b4-bbbbb' }, reserved('host'), { uuid: 'v-1' }),
    flow({ ...a, names: ['x.example.com'] }, reserved('host'), { uuid: 'v-2' }),
    flow({ ...a, workloads: [{ name: 'api', kind: 'Deployment' }] }, reserved('host'), { uuid: 'v-3' }),
    flow({ ...a, identity: 4242 }, reserved('host'), { uuid: 'v-4', isReply: null, icmp: { type: 8, code: 0 }, summary: 'quote " and \\ and \n and é' }),
    flow({ ...a, namespace: 'other' }, world('', '1.1.1.1'), { uuid: 'v-5', egressDeniedBy: [{ kind: 'NetworkPolicy', namespace: 'shop', name: 'deny' }] }),
    flow(pod('shop', 'web-1'), peer('10.1.1.1'), { uuid: 'v-6' }),
    flow(pod('shop', 'web-1'), peer('10.9.9.9'), { uuid: 'v-7' }),
  ].map((f, i) => ({ ...f, time: 1_795_000_000_000 + i }));
}

describe('flow blocks', () => {
  let dir: string;
  let engine: HistoryEngine;
  const demo = new FlowGenerator(demoScenario(), 3).generate(5000, 1_795_000_000_000, 7);
  const variants = endpointVariants();
  const all = [...demo, ...variants];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-flow-block-'));
    engine = await openChdbEngine(dir);
    for (const statement of schemaStatements({ days: 3650 })) await engine.exec(statement);
    await engine.exec('CREATE TABLE flows_json AS flows');
    // The reference: the same flows as JSON rows (flowToRow), parsed by the engine.
    const json = all.map((f) => JSON.stringify(flowToRow(f))).join('\n');
    await engine.exec(`INSERT INTO flows_json (${FLOW_COLUMN_NAMES.join(', ')}) FORMAT JSONCompactEachRow\n${json}`);
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every column of every flow exactly as the JSON row of flowToRow does', async () => {
    expect(new Set(demo.map((f) => (f.l7 ? Object.keys(f.l7).join() : 'none'))).size).toBeGreaterThan(2);
    await engine.insert('flows', FLOW_COLUMN_NAMES, flowBlock(all));
    const ours = await engine.query('SELECT * FROM flows ORDER BY uuid, time', {});
    const reference = await engine.query('SELECT * FROM flows_json ORDER BY uuid, time', {});
    expect(ours).toHaveLength(all.length);
    expect(ours).toEqual(reference);
  });

  it('keeps each endpoint its own columns when the labels array is shared (address-named peers included)', async () => {
    const rows = await engine.query("SELECT * FROM flows WHERE startsWith(uuid, 'v-') ORDER BY uuid", {});
    expect(rows.map(rowToFlow)).toEqual(variants);
    expect(rows.map((r) => r.dst_node).slice(6)).toEqual(['unknown:10.1.1.1', 'unknown:10.9.9.9']);
    expect(rows.map((r) => r.src_pod).slice(0, 2)).toEqual(['api-7f9d8c6b4-aaaaa', 'api-7f9d8c6b4-bbbbb']);
  });

  it('lays every flow out in the parts FLOW_ROW_PARTS declares', () => {
    for (const f of [...demo.slice(0, 200), ...variants]) expect(flowParts(f).map((part) => part.length)).toEqual(FLOW_ROW_PARTS.map((p) => p.columns));
    expect(FLOW_ROW_PARTS.reduce((n, p) => n + p.columns, 0)).toBe(FLOW_COLUMN_NAMES.length);
  });

  it('builds the same block however the flows were added, and once', () => {
    const writer = new FlowBlockWriter();
    for (let i = 0; i < demo.length; i += 777) for (const f of demo.slice(i, i + 777)) writer.add(f);
    expect(writer.rows).toBe(demo.length);
    const built = writer.build();
    expect(built.equals(flowBlock(demo))).toBe(true);
    expect(writer.build()).toBe(built);
    expect(() => writer.add(demo[0])).toThrow(/already built/);
    // Reused for the next block (as the store does): the same bytes as a new writer's.
    writer.reset();
    for (const f of demo.slice(0, 500)) writer.add(f);
    expect(writer.build().equals(flowBlock(demo.slice(0, 500)))).toBe(true);
    expect(built.equals(flowBlock(demo))).toBe(true);
  });

  it('builds in steps, a column at a time, the bytes build() gives', () => {
    const writer = new FlowBlockWriter();
    for (const f of demo) writer.add(f);
    const steps = writer.buildSteps();
    let pauses = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) {
      pauses++;
      // Mid-build the rows are final, and a second build cannot start over the first.
      if (pauses === 1) {
        expect(() => writer.add(demo[0])).toThrow(/already built/);
        expect(() => writer.build()).toThrow(/being built/);
      }
    }
    expect(pauses).toBeGreaterThanOrEqual(FLOW_COLUMN_NAMES.length);
    expect(r.value.equals(flowBlock(demo))).toBe(true);
    expect(writer.build()).toBe(r.value);
  });
});
