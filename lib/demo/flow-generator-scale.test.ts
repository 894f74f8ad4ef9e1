/**
 * Issue 13 ("Large clusters"): the demo relay must generate 20,000 flows/s for a 5,000-workload cluster
 * with modest CPU, so a flow's cost must not grow with the scenario: no scan of the patterns to pick
 * one, nor of the pods to find a workload's. (Its own file: the 20,000-workload scenario is big, and
 * timing it beside the other generator tests' flows measured their garbage collection.)
 */

import { describe, expect, it } from 'vitest';
import { timeRatio } from '../match/testing/time-ratio';
import { FlowGenerator } from './flow-generator';
import { scaledScenario } from './scaled-scenario';

describe('demo flow generator at scale', () => {
  it('costs about the same per connection at 20,000 workloads as at 100 (issue 13: no scan of patterns or pods per flow)', () => {
    const small = new FlowGenerator(scaledScenario(100), 7);
    const large = new FlowGenerator(scaledScenario(20_000), 7);
    // Warm both: endpoints are built on a pod's first flow.
    for (let i = 0; i < 50_000; i++) large.nextConnection(0);
    for (let i = 0; i < 5_000; i++) small.nextConnection(0);
    // A scan of the ~96,000 patterns per pick made it 14 times slower.
    expect(timeRatio(() => large.nextConnection(0), () => small.nextConnection(0))).toBeLessThan(5);
  });
});
