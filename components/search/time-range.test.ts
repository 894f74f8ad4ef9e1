import { describe, expect, it } from 'vitest';
import { fromLocalInput, presetLabel, toLocalInput } from './time-range';

describe('custom range fields', () => {
  it('a local input value round-trips through RFC 3339, whatever the time zone', () => {
    const ms = Date.UTC(2026, 10, 28, 9, 41);
    const local = toLocalInput(ms);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe(new Date(ms).toISOString());
  });

  it('refuses what is not a datetime-local value', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('yesterday')).toBeNull();
    expect(fromLocalInput('2026-13-45T99:99')).toBeNull();
  });
});

describe('presetLabel', () => {
  it('names a preset only when the window is open-ended', () => {
    expect(presetLabel('1h', '')).toBe('Last 1 h');
    expect(presetLabel('1h', '2026-11-28T10:00:00Z')).toBeNull();
    expect(presetLabel('2026-11-28T10:00:00Z', '')).toBeNull();
  });
});
