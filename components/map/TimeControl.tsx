'use client';

import { useState } from 'react';
import { fromLocalInput, presetOf, presetWindow, toLocalInput, WINDOW_PRESETS, type MapWindow, type WindowState } from './time-window';

type TimeMode = 'live' | (typeof WINDOW_PRESETS)[number]['key'] | 'custom';

const SHORT: Record<TimeMode, string> = { live: '● Live', '15m': '◷ 15 min', '1h': '◷ 1 h', '6h': '◷ 6 h', '24h': '◷ 24 h', custom: '◷ custom' };

const option = (on: boolean) => `rounded px-2 py-0.5 text-left ${on ? 'bg-indigo-600 text-white' : 'hover:bg-slate-100'}`;

/** From/to of a custom window, in local time; applied only when both parse and from is before to. */
function CustomWindow({ initial, onApply }: { initial: MapWindow; onApply(w: MapWindow): void }) {
  const [from, setFrom] = useState(() => toLocalInput(initial.since));
  const [to, setTo] = useState(() => toLocalInput(initial.until));
  const since = fromLocalInput(from);
  const until = fromLocalInput(to);
  const problem = since === null ? 'from is not a date and time' : until === null ? 'to is not a date and time' : since >= until ? 'from must be before to' : null;
  return (
    <form
      data-testid="time-custom-form"
      className="flex flex-col gap-1 border-t border-slate-200 pt-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (since !== null && until !== null && !problem) onApply({ since, until });
      }}
    >
      <span className="text-xs font-semibold text-slate-600">custom window (local time)</span>
      <label className="flex items-center justify-between gap-2">
        from <input type="datetime-local" data-testid="time-custom-from" value={from} onChange={(e) => setFrom(e.target.value)} className="rounded border border-slate-300 px-1" />
      </label>
      <label className="flex items-center justify-between gap-2">
        to <input type="datetime-local" data-testid="time-custom-to" value={to} onChange={(e) => setTo(e.target.value)} className="rounded border border-slate-300 px-1" />
      </label>
      {problem && <p className="text-xs text-red-700">{problem}</p>}
      <button data-testid="time-custom-apply" disabled={problem !== null} className="self-end rounded bg-indigo-600 px-2 text-white disabled:opacity-50">
        show
      </button>
    </form>
  );
}

/**
 * Live or a past window, in one compact menu on the toolbar: presets ending now, or a custom from/to.
 * The button says which (`data-mode`); the window itself goes in the URL.
 */
export function TimeControl({ time, onWindow }: { time: WindowState; onWindow(w: MapWindow | null): void }) {
  const [open, setOpen] = useState(false);
  const mode: TimeMode = time.kind !== 'past' ? 'live' : (presetOf(time.window) ?? 'custom');
  const choose = (w: MapWindow | null) => {
    onWindow(w);
    setOpen(false);
  };
  return (
    <div className="relative" data-testid="time-control">
      <button
        type="button"
        data-testid="time-menu"
        data-mode={mode}
        aria-expanded={open}
        title={mode === 'live' ? 'The map follows the live stream: choose a past window' : 'The map shows a past window from the flow history'}
        onClick={() => setOpen(!open)}
        className={`whitespace-nowrap rounded-full border px-2 py-0.5 ${mode === 'live' ? 'border-emerald-600 text-emerald-800' : 'border-indigo-600 bg-indigo-600 text-white'}`}
      >
        {SHORT[mode]} ▾
      </button>
      {open && (
        <div className="absolute left-0 top-8 z-20 flex w-72 flex-col gap-0.5 rounded border border-slate-200 bg-white p-2 shadow-lg">
          <button type="button" data-testid="time-live" aria-pressed={mode === 'live'} onClick={() => choose(null)} className={option(mode === 'live')}>
            ● Live
          </button>
          {WINDOW_PRESETS.map((p) => (
            <button key={p.key} type="button" data-testid={`time-preset-${p.key}`} aria-pressed={mode === p.key} onClick={() => choose(presetWindow(p.key, Date.now()))} className={option(mode === p.key)}>
              {p.label}
            </button>
          ))}
          <CustomWindow initial={time.kind === 'past' ? time.window : presetWindow('1h', Date.now())} onApply={choose} />
          <p className="text-xs text-slate-500">A past window is drawn from the flow history and kept in the link.</p>
        </div>
      )}
    </div>
  );
}
