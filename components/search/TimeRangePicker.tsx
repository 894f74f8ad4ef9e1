'use client';

import { useState } from 'react';
import { fromLocalInput, presetLabel, RANGE_PRESETS, shortTime, toLocalInput } from './time-range';

export interface RangeChoice {
  live: boolean;
  since: string;
  until: string;
}

/**
 * Live tail, a preset window back from now, or a custom from/to. `resolved` is the window the
 * last answer covered (epoch ms): it fills the custom fields and labels an absolute window.
 * `allowLive={false}` leaves out the live button (a replay needs a window).
 */
export function TimeRangePicker({ value, resolved, onChange, allowLive = true }: { value: RangeChoice; resolved: { since: number | null; until: number | null } | null; onChange(v: RangeChoice): void; allowLive?: boolean }) {
  const [customOpen, setCustomOpen] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const preset = value.live ? null : presetLabel(value.since, value.until);
  const custom = !value.live && !preset;
  const button = (active: boolean) => `rounded border px-2 py-1 ${active ? 'border-slate-800 bg-slate-800 text-white' : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-100'}`;

  const openCustom = () => {
    const now = Date.now();
    setFrom(toLocalInput(resolved?.since ?? now - 3_600_000));
    setTo(toLocalInput(resolved?.until ?? now));
    setProblem(null);
    setCustomOpen((o) => !o);
  };

  const applyCustom = () => {
    const since = fromLocalInput(from);
    const until = to ? fromLocalInput(to) : '';
    if (!since || until === null) return setProblem('Enter a start time (and optionally an end time).');
    if (until && Date.parse(until) <= Date.parse(since)) return setProblem('The end must be after the start.');
    setCustomOpen(false);
    onChange({ live: false, since, until });
  };

  return (
    <div className="relative flex items-center gap-1 text-xs" data-testid="range-picker">
      {allowLive && (
        <button type="button" data-testid="range-live" aria-pressed={value.live} className={button(value.live)} onClick={() => onChange({ live: true, since: '', until: '' })} title="Tail the live stream with this query">
          ● Live
        </button>
      )}
      {RANGE_PRESETS.map((p) => (
        <button key={p.since} type="button" data-testid={`range-${p.since}`} aria-pressed={preset === p.label} className={button(preset === p.label)} onClick={() => onChange({ live: false, since: p.since, until: '' })}>
          {p.label.replace('Last ', '')}
        </button>
      ))}
      <button type="button" data-testid="range-custom" aria-pressed={custom} aria-expanded={customOpen} className={button(custom)} onClick={openCustom}>
        {custom ? customLabel(value, resolved) : 'Custom…'}
      </button>
      {customOpen && (
        <form
          data-testid="range-custom-form"
          className="absolute right-0 top-full z-20 mt-1 flex flex-col gap-2 rounded border border-slate-300 bg-white p-3 shadow-lg"
          onSubmit={(e) => {
            e.preventDefault();
            applyCustom();
          }}
        >
          <label className="flex items-center justify-between gap-2">
            <span className="text-slate-600">From</span>
            <input type="datetime-local" data-testid="range-from" value={from} onChange={(e) => setFrom(e.target.value)} className="rounded border border-slate-300 px-1.5 py-1" />
          </label>
          <label className="flex items-center justify-between gap-2">
            <span className="text-slate-600">To</span>
            <input type="datetime-local" data-testid="range-to" value={to} onChange={(e) => setTo(e.target.value)} className="rounded border border-slate-300 px-1.5 py-1" />
          </label>
          {problem && <p className="text-red-700">{problem}</p>}
          <div className="flex justify-end gap-2">
            <button type="button" className="rounded border border-slate-300 px-2 py-1" onClick={() => setCustomOpen(false)}>
              Close
            </button>
            <button data-testid="range-apply" className="rounded bg-slate-800 px-3 py-1 text-white">
              Apply
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** An absolute window in words: the times the server resolved when known, else as the URL says. */
function customLabel(value: RangeChoice, resolved: { since: number | null; until: number | null } | null): string {
  const side = (raw: string, ms: number | null | undefined, open: string) => (ms != null ? shortTime(ms) : raw || open);
  return `${side(value.since, resolved?.since, 'start')} → ${side(value.until, resolved?.until, 'now')}`;
}
