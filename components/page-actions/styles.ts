/** The header's action buttons, on its dark background. */
export const BUTTON =
  'whitespace-nowrap rounded border border-slate-600 px-2 py-1 text-xs text-slate-200 hover:bg-slate-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-400 disabled:cursor-wait disabled:opacity-60';
