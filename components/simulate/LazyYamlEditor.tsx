'use client';

import dynamic from 'next/dynamic';

/** The YAML editor in its own chunk: CodeMirror only runs in the browser, and only this page needs it. */
export const LazyYamlEditor = dynamic(() => import('./YamlEditor').then((m) => m.YamlEditor), {
  ssr: false,
  loading: () => <div className="h-72 rounded border border-slate-300 bg-slate-50 p-2 text-xs text-slate-500">loading the editor…</div>,
});
