import type { Severity } from '@/lib/posture/finding';

/** Colours of a finding's severity tag, the same on the overview's findings and the map's namespace badges. */
export const SEVERITY_CLASS: Record<Severity, string> = {
  critical: 'bg-red-700 text-white',
  high: 'bg-red-600 text-white',
  medium: 'bg-orange-500 text-white',
  low: 'bg-amber-200 text-amber-900',
  info: 'bg-slate-200 text-slate-700',
};

/** The same palette as colours for canvas drawing (the map writes a namespace's findings in its worst severity). */
export const SEVERITY_HEX: Record<Severity, string> = {
  critical: '#b91c1c',
  high: '#dc2626',
  medium: '#ea580c',
  low: '#b45309',
  info: '#475569',
};
