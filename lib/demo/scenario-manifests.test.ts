/**
 * `demo-relay --write-manifests DIR` must describe the cluster the relay's flows come from: read back
 * through the manifests source (FLOWSIGHT_MANIFESTS), the files give the snapshot the demo cluster
 * source builds from the scenario itself.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoSnapshot } from '../k8s/demo-source';
import { ManifestsSource } from '../k8s/manifests-source';
import type { ClusterSnapshot } from '../k8s/types';
import { scaledScenario } from './scaled-scenario';
import { demoScenario, type DemoScenario } from './scenario';
import { scenarioManifestFiles } from './scenario-manifests';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function readBack(scenario: DemoScenario): Promise<{ snapshot: ClusterSnapshot; errors: unknown[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-demo-manifests-'));
  dirs.push(dir);
  for (const f of scenarioManifestFiles(scenario)) fs.writeFileSync(path.join(dir, f.name), f.text);
  const source = new ManifestsSource(dir, { parser: 'inline' });
  await source.start();
  const snapshot = source.snapshot();
  const errors = source.status().errors;
  await source.stop();
  return { snapshot, errors };
}

const byKey = <T extends { name: string; namespace?: string }>(list: readonly T[]) => [...list].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));

describe('scenarioManifestFiles', () => {
  it.each([
    ['the hand-written demo', () => demoScenario()],
    ['a scaled demo of 300 workloads', () => scaledScenario(300)],
  ])('%s reads back as the demo cluster source sees it', async (_name, scenarioOf) => {
    const scenario = scenarioOf();
    const { snapshot, errors } = await readBack(scenario);
    const expected = demoSnapshot(scenario).snapshot;
    expect(errors).toEqual([]);
    expect(byKey(snapshot.namespaces)).toEqual(byKey(expected.namespaces));
    expect(byKey(snapshot.nodes)).toEqual(byKey(expected.nodes));
    // The pod manifests also name the service account the flows' Cilium labels carry.
    expect(byKey(snapshot.pods).map(({ serviceAccount, ...p }) => (expect(serviceAccount).toBe(p.workload?.name), p))).toEqual(byKey(expected.pods));
    expect(byKey(snapshot.policies)).toEqual(byKey(expected.policies));
    expect(byKey(snapshot.services)).toEqual(byKey(expected.services));
    expect(byKey(snapshot.endpointSlices)).toEqual(byKey(expected.endpointSlices));
  });

  it('writes one file per namespace and one for the nodes, named in the scenario\'s order', () => {
    const scenario = scaledScenario(300);
    const names = scenarioManifestFiles(scenario).map((f) => f.name);
    expect(names).toHaveLength(scenario.namespaces.length + 1);
    expect(names[0]).toMatch(/^0+-nodes\.yaml$/);
    expect([...names].sort()).toEqual(names);
    expect(names.slice(1).map((n) => n.replace(/^\d+-|\.yaml$/g, ''))).toEqual(scenario.namespaces.map((ns) => ns.name));
  });
});
