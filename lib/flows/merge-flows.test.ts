import { describe, expect, it } from 'vitest';
import { flow, pod } from '../testing/flow-fixtures';
import type { FlowRecord } from './flow-record';
import { mergeFlows } from './merge-flows';

const at = (time: number, uuid = `u${time}`): FlowRecord => flow(pod('payments', 'api-0'), pod('kube-system', 'coredns-0'), { time, uuid });

describe('mergeFlows (fetched flows + live stream)', () => {
  it('keeps each uuid once when the stream repeats what the fetch returned', () => {
    const fetched = [at(1), at(2), at(3)];
    const merged = mergeFlows(fetched, [at(2), at(3), at(4)], 100);
    expect(merged.map((f) => f.uuid)).toEqual(['u1', 'u2', 'u3', 'u4']);
  });

  it('keeps time order when the fetch answers after the stream started', () => {
    const streamed = [at(5), at(6)];
    const merged = mergeFlows(streamed, [at(1), at(5), at(3)], 100);
    expect(merged.map((f) => f.time)).toEqual([1, 3, 5, 6]);
  });

  it('keeps the newest `cap` flows', () => {
    const merged = mergeFlows([at(1), at(2)], [at(3), at(4)], 3);
    expect(merged.map((f) => f.time)).toEqual([2, 3, 4]);
  });

  it('drops duplicates inside one batch', () => {
    expect(mergeFlows([], [at(1), at(1), at(2)], 10)).toHaveLength(2);
  });
});
