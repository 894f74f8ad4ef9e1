/**
 * `flowsight findings` says what its score was computed from: the policies alone (static) unless --flows
 * adds observed flows, which is why the dashboard, weighing the flows it receives, scores lower.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoScenario } from '../../lib/demo/scenario';
import { demoFlows } from '../../lib/posture/testing/demo-flows';
import { runCli as run } from './testing/run-cli';

describe('flowsight findings: the basis of the score', () => {
  let dir: string;
  const flows = demoFlows(demoScenario(), 2);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-basis-'));
    await writeFile(path.join(dir, 'flows.jsonl'), flows.map((f) => JSON.stringify(f)).join('\n'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('without --flows the JSON basis is the policies alone and the table says the score is static', async () => {
    const json = await run(['findings', '--demo', '-o', 'json']);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.out);
    expect(out.scores.cluster.score).toBe(79.68);
    expect(out.basis).toMatchObject({ policies: true, observedFlows: 0, azure: false });
    const table = await run(['findings', '--demo']);
    const lines = table.out.split('\n');
    const score = lines.findIndex((l) => l.startsWith('posture score: 79.68/100'));
    expect(score).toBeGreaterThan(-1);
    expect(lines[score + 1]).toMatch(/^score basis: Score from the policies and pods of the input only \(static, no observed flows\)\. The dashboard also weighs/);
  });

  it('with --flows the basis counts them and their window, and the score drops to what the dashboard shows', async () => {
    const r = await run(['findings', '--demo', '--flows', path.join(dir, 'flows.jsonl'), '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const times = flows.map((f) => f.time);
    expect(out.basis).toMatchObject({ policies: true, observedFlows: flows.length, flowWindow: { from: Math.min(...times), to: Math.max(...times) } });
    expect(out.scores.cluster.score).toBe(70.35);
    const table = await run(['findings', '--demo', '--flows', path.join(dir, 'flows.jsonl')]);
    expect(table.out).toContain(`score basis: Score from the policies and pods of the input plus ${flows.length} observed flows`);
  });
});
