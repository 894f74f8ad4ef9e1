import { describe, expect, it } from 'vitest';
import { markFirst } from './first-marks';

describe('first-render marks', () => {
  it('marks each moment once per page, under the flowsight: prefix', () => {
    performance.clearMarks('flowsight:map-first-draw');
    markFirst('map-first-draw');
    markFirst('map-first-draw');
    const marks = performance.getEntriesByName('flowsight:map-first-draw');
    expect(marks).toHaveLength(1);
    expect(marks[0].entryType).toBe('mark');
  });

  it("a moment the page's inline script marked already is not marked again", () => {
    performance.clearMarks('flowsight:stream-snapshot');
    performance.mark('flowsight:stream-snapshot');
    markFirst('stream-snapshot');
    expect(performance.getEntriesByName('flowsight:stream-snapshot')).toHaveLength(1);
  });
});
