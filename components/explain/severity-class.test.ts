import { describe, expect, it } from 'vitest';
import { SEVERITY_ORDER } from '@/lib/posture/finding';
import { SEVERITY_CLASS, SEVERITY_HEX } from './severity-class';

describe('the severity palette', () => {
  it('has a tag class and a canvas colour for every severity, and nothing else', () => {
    expect(Object.keys(SEVERITY_CLASS).sort()).toEqual([...SEVERITY_ORDER].sort());
    expect(Object.keys(SEVERITY_HEX).sort()).toEqual([...SEVERITY_ORDER].sort());
    for (const s of SEVERITY_ORDER) expect(SEVERITY_HEX[s]).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('tells every severity apart, on tags and on the map', () => {
    expect(new Set(Object.values(SEVERITY_CLASS)).size).toBe(SEVERITY_ORDER.length);
    expect(new Set(Object.values(SEVERITY_HEX)).size).toBe(SEVERITY_ORDER.length);
  });
});
