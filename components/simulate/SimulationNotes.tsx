import type { ChangeProblem } from '@/lib/what-if/proposed-change';
import type { SimulationResult } from '@/lib/what-if/replay';
import { problemText } from './change-lint';
import { plural, policyWords } from './edge-words';

/** What the change did to the policy set, and everything that makes the answer less than certain. */
export function SimulationNotes({ result, problems = [] }: { result: SimulationResult; problems?: ChangeProblem[] }) {
  const c = result.change;
  const did = [
    ...c.added.map((p) => `adds ${policyWords(p)}`),
    ...c.replaced.map((p) => `replaces ${policyWords(p)}`),
    ...c.deleted.map((p) => `deletes ${policyWords(p)}`),
  ];
  const warnings = [
    ...problems.filter((p) => p.severity === 'warning').map(problemText),
    ...c.warnings,
    ...(result.replayed.truncated ? ['the window held more distinct connections than are replayed: the rarest ones were left out'] : []),
    ...(result.unevaluated ? [`${plural(result.unevaluated, 'connection')} could not be evaluated (no L4 protocol, or a Service address) and are left out`] : []),
    ...(result.disagreements ? [`for ${plural(result.disagreements, 'connection')} the engine's verdict for the cluster as deployed differs from what Hubble observed: read those results with care`] : []),
  ];
  return (
    <div className="flex flex-col gap-1 text-xs">
      {did.length > 0 && (
        <ul data-testid="change-applied" className="flex flex-wrap gap-x-3 text-slate-700">
          {did.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul data-testid="simulation-warnings" className="flex flex-col gap-0.5 rounded border border-amber-300 bg-amber-50 px-2 py-1 text-amber-900">
          {warnings.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
