import type { UnobservedPath } from '@/lib/what-if/replay';

/** Paths no flow took in the window that the change closes or opens (internet egress, internet ingress). */
export function UnobservedPaths({ paths }: { paths: UnobservedPath[] }) {
  if (!paths.length) return null;
  return (
    <section className="flex flex-col gap-1">
      <h3 className="text-sm font-semibold">Paths no flow took</h3>
      <p className="text-xs text-slate-600">Checked for each workload the change touches: they show what a default deny closes, or what a change opens, before any traffic tries it.</p>
      <ul data-testid="unobserved-paths" className="flex flex-col gap-1 text-xs">
        {paths.map((p) => (
          <li key={`${p.workload}|${p.path}`} data-testid="unobserved-path" data-outcome={p.outcome} data-workload={p.workload} className="rounded border border-slate-200 bg-white px-2 py-1">
            <span className={`mr-2 rounded px-1.5 py-0.5 font-medium ${p.outcome === 'closed' ? 'bg-slate-700 text-white' : 'bg-blue-600 text-white'}`}>{p.outcome}</span>
            <span className="font-mono">{p.workload}</span>: {p.path}
            <div className="text-slate-600">
              before: {p.before.why}; after: {p.after.why}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
