/** The pods of each `namespace/workload` of a demo scenario, indexed once (podsOf scans every pod per call). */

import type { DemoPod, DemoScenario } from './scenario';

const indexes = new WeakMap<DemoScenario, ReadonlyMap<string, readonly DemoPod[]>>();

/** Pods by `namespace/workload`, in the scenario's order (the order podsOf returns them in). */
export function podsByWorkload(scenario: DemoScenario): ReadonlyMap<string, readonly DemoPod[]> {
  let index = indexes.get(scenario);
  if (!index) {
    const built = new Map<string, DemoPod[]>();
    for (const p of scenario.pods) {
      const key = `${p.namespace}/${p.workload.name}`;
      let list = built.get(key);
      if (!list) built.set(key, (list = []));
      list.push(p);
    }
    indexes.set(scenario, (index = built));
  }
  return index;
}
