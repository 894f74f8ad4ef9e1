import { describe, expect, it } from 'vitest';
import { DEFAULT_REPLAY_WINDOW } from '@/lib/api/what-if-request';
import { DEFAULT_SINCE, readSimulateView, windowBody, writeSimulateView } from './simulate-url';

describe('the /simulate URL', () => {
  it('defaults to the last 24 h, the change panel and the datapath flavour', () => {
    expect(DEFAULT_SINCE).toBe(DEFAULT_REPLAY_WINDOW);
    const v = readSimulateView(new URLSearchParams());
    expect(v).toEqual({ since: '24h', until: '', tab: 'change', namespace: '', workload: '', flavour: 'auto' });
    expect(writeSimulateView(v).toString()).toBe('');
  });

  it('round-trips a recommendation over a custom window', () => {
    const qs = 'tab=recommend&since=2026-11-28T10%3A00%3A00.000Z&until=2026-11-28T11%3A00%3A00.000Z&ns=production&workload=api-server&flavour=kubernetes';
    const v = readSimulateView(new URLSearchParams(qs));
    expect(v).toEqual({ since: '2026-11-28T10:00:00.000Z', until: '2026-11-28T11:00:00.000Z', tab: 'recommend', namespace: 'production', workload: 'api-server', flavour: 'kubernetes' });
    expect(writeSimulateView(v).toString()).toBe(qs);
    expect(windowBody(v)).toEqual({ since: '2026-11-28T10:00:00.000Z', until: '2026-11-28T11:00:00.000Z' });
  });

  it('drops what it does not understand', () => {
    const v = readSimulateView(new URLSearchParams('tab=x&ns=Not_A_Name&workload=../x&flavour=calico&since=1h'));
    expect(v).toEqual({ since: '1h', until: '', tab: 'change', namespace: '', workload: '', flavour: 'auto' });
    expect(writeSimulateView(v).toString()).toBe('since=1h');
  });

  it('keeps an open start when only the end is given', () => {
    const v = readSimulateView(new URLSearchParams('until=1h'));
    expect(v.since).toBe('');
    expect(windowBody(v)).toEqual({ until: '1h' });
  });
});
