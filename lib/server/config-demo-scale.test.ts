import { describe, expect, it } from 'vitest';
import { configSummary, loadConfig } from './config';
import { problemsOf } from './testing/config-problems';

describe('FLOWSIGHT_DEMO_SCALE', () => {
  it('is 0 (the hand-written demo) when unset, empty or 0', () => {
    expect(loadConfig({}).demoScale).toBe(0);
    expect(loadConfig({ FLOWSIGHT_DEMO_SCALE: ' ' }).demoScale).toBe(0);
    expect(loadConfig({ FLOWSIGHT_DEMO_SCALE: '0' }).demoScale).toBe(0);
    expect(configSummary(loadConfig({}))).not.toHaveProperty('demoScale');
  });

  it('takes a number of workloads from 10 to 20000, and the summary says so for the demo relay', () => {
    expect(loadConfig({ FLOWSIGHT_DEMO_SCALE: '10' }).demoScale).toBe(10);
    expect(loadConfig({ FLOWSIGHT_DEMO_SCALE: ' 5000 ' }).demoScale).toBe(5000);
    expect(loadConfig({ FLOWSIGHT_DEMO_SCALE: '20000' }).demoScale).toBe(20000);
    expect(configSummary(loadConfig({ FLOWSIGHT_DEMO_SCALE: '5000', FLOWSIGHT_DEMO_RATE: '20000' }))).toMatchObject({ demoRate: 20000, demoScale: 5000 });
  });

  it.each(['5', '20001', 'big', '-10', '1e3', '50.5'])('"%s" is reported naming the variable', (value) => {
    expect(problemsOf({ FLOWSIGHT_DEMO_SCALE: value })).toEqual([
      { variable: 'FLOWSIGHT_DEMO_SCALE', message: `"${value}" is not 0 (the hand-written demo) or a number of workloads from 10 to 20000` },
    ]);
  });
});
