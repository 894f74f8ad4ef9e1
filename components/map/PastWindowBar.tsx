'use client';

import { useEffect, useRef, useState } from 'react';
import { DEFAULT_SCRUB_SPAN_MS, describeTime, describeWindow, SCRUB_SPANS, scrubRange, windowEndingAt, type MapWindow } from './time-window';

/** Quiet time after the last scrubber move before the map asks the server for the window. */
const SCRUB_DEBOUNCE_MS = 400;
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

export interface PastGraphState {
  loading: boolean;
  /** The server's words when the window cannot be drawn (history off, store unavailable). */
  error: string | null;
  edges: number | null;
}

/**
 * Moves the fixed-width window along a track ending now: the window shown follows the thumb at once,
 * the request waits until the thumb rests.
 */
function Scrubber({ current, onScrub, onWindow }: { current: MapWindow; onScrub(w: MapWindow | null): void; onWindow(w: MapWindow): void }) {
  const [span, setSpan] = useState(DEFAULT_SCRUB_SPAN_MS);
  // The track ends where "now" was when the past window was opened; a newer window stretches it.
  const [end] = useState(() => wholeSecond(Date.now()));
  const [draft, setDraft] = useState<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  // Once the URL holds what the thumb rests on, the thumb follows the URL again.
  useEffect(() => setDraft((d) => (d === current.until ? null : d)), [current.until]);
  const { min, max } = scrubRange(current, end, span);
  const value = draft ?? current.until;
  const move = (until: number) => {
    setDraft(until);
    onScrub(windowEndingAt(current, until));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      onScrub(null);
      onWindow(windowEndingAt(current, until));
    }, SCRUB_DEBOUNCE_MS);
  };
  return (
    <div className="flex min-w-[20rem] flex-1 items-center gap-2">
      <span className="whitespace-nowrap text-xs text-slate-500">{describeTime(min - (current.until - current.since))}</span>
      <input
        type="range"
        data-testid="time-scrubber"
        aria-label="Move the window through time"
        min={min}
        max={max}
        step={1000}
        value={value}
        onChange={(e) => move(wholeSecond(Number(e.target.value)))}
        className="min-w-0 flex-1 accent-indigo-600"
      />
      <span className="text-xs text-slate-500">now</span>
      <select data-testid="scrub-span" value={span} onChange={(e) => setSpan(Number(e.target.value))} className="rounded border border-indigo-200 bg-white px-1 text-xs" title="How far back the track reaches">
        {SCRUB_SPANS.map((s) => (
          <option key={s.key} value={s.ms}>
            track: {s.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Says the map shows a past window (not the live stream), lets the window be scrubbed, and leads back to live. */
export function PastWindowBar({ current, graph, onWindow, onLive }: { current: MapWindow; graph: PastGraphState; onWindow(w: MapWindow): void; onLive(): void }) {
  const [scrubbing, setScrubbing] = useState<MapWindow | null>(null);
  const shown = scrubbing ?? current;
  return (
    <div data-testid="past-window" className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-indigo-200 bg-indigo-50 px-3 py-1.5 text-sm text-indigo-950">
      <span className="font-semibold" data-testid="past-window-text" title={`${new Date(shown.since).toISOString()} – ${new Date(shown.until).toISOString()}`}>
        Past window: {describeWindow(shown)}
      </span>
      <span className="text-xs text-indigo-800" data-testid="past-window-status">
        {graph.error ? '' : graph.loading || scrubbing ? 'loading from the flow history…' : `${graph.edges ?? 0} connections from the flow history · the live stream is paused here`}
      </span>
      <span className="text-xs text-indigo-800" data-testid="past-window-colours" title="Each past connection is coloured by its verdict over every layer (Cilium, NSG, firewall), evaluated against today's policies and Azure rules.">
        colours: every layer, against today&apos;s rules
      </span>
      <Scrubber current={current} onScrub={setScrubbing} onWindow={onWindow} />
      <button type="button" data-testid="back-to-live" onClick={onLive} className="rounded bg-indigo-600 px-3 py-0.5 text-white hover:bg-indigo-500">
        Back to live
      </button>
      {graph.error && (
        <p role="alert" data-testid="past-window-error" className="w-full text-xs text-red-700">
          {graph.error}
        </p>
      )}
    </div>
  );
}
