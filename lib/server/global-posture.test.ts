import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getHub } from './global-hub';
import { getPosture } from './global-posture';
import { currentPolicyCatalog, currentPostureReport } from './posture-api';

vi.mock('./global-hub', () => ({ getHub: vi.fn() }));

/** Enough of a hub for the posture's flow feed. */
const fakeHub = { recent: { next: 0, capacity: 16, since: () => ({ flows: [], next: 0 }) } };

const KEY = Symbol.for('flowsight.posture');
type Holder = { [KEY]?: Promise<{ source: { stop(): Promise<void> } }> };

async function resetPosture(): Promise<void> {
  const g = globalThis as Holder;
  const held = g[KEY];
  delete g[KEY];
  await held?.then((s) => s.source.stop()).catch(() => undefined);
}

describe('getPosture', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-posture-'));
    await writeFile(path.join(dir, 'p.yaml'), 'kind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n');
  });
  afterEach(async () => {
    await resetPosture();
    vi.unstubAllEnvs();
    vi.mocked(getHub).mockReset();
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('does not keep a failed start: the next call starts again', async () => {
    vi.stubEnv('FLOWSIGHT_MANIFESTS', dir);
    vi.mocked(getHub).mockRejectedValueOnce(new Error('relay not ready')).mockResolvedValue(fakeHub as never);
    await expect(getPosture()).rejects.toThrow('relay not ready');
    const service = await getPosture();
    expect(service.source.snapshot().policies.map((p) => p.name)).toEqual(['deny']);
    expect(getHub).toHaveBeenCalledTimes(2);
  });

  it('starts on a manifests path that is missing: the posture routes answer, with the source error', async () => {
    const missing = path.join(dir, 'not-there');
    vi.stubEnv('FLOWSIGHT_MANIFESTS', missing);
    vi.mocked(getHub).mockResolvedValue(fakeHub as never);
    const report = await currentPostureReport();
    expect(report.source.errors).toEqual([expect.objectContaining({ code: 'file-unreadable', where: { file: missing } })]);
    const catalog = await currentPolicyCatalog({} as never);
    expect(catalog.source.errors[0].text).toMatch(/not-there.*ENOENT/);
  });
});
