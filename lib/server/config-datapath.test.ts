import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

// Issue 16, item 3: the datapath whose policy semantics the engine models is detected unless
// FLOWSIGHT_DATAPATH sets it (README, "Configuration"); a bad value names the variable.
describe('FLOWSIGHT_DATAPATH', () => {
  it('defaults to auto (detect from the cluster and the relay)', () => {
    expect(loadConfig({}).datapath).toBe('auto');
  });

  it.each([
    ['cilium', 'cilium'],
    ['kubernetes', 'kubernetes'],
    [' Kubernetes ', 'kubernetes'],
    ['auto', 'auto'],
  ])('%j is accepted as %s', (raw, expected) => {
    expect(loadConfig({ FLOWSIGHT_DATAPATH: raw }).datapath).toBe(expected);
  });

  it('refuses any other value, naming the variable and the valid ones', () => {
    let problems: ConfigError['problems'] = [];
    try {
      loadConfig({ FLOWSIGHT_DATAPATH: 'calico' });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems = e.problems;
    }
    expect(problems).toEqual([{ variable: 'FLOWSIGHT_DATAPATH', message: '"calico" is not one of auto, cilium, kubernetes' }]);
  });
});
