import type { DeployedDiff, RuleUse, UncoveredPath } from '@/lib/what-if/deployed-diff';
import { count, plural } from './edge-words';

const UNCOVERED_WORDS: Record<UncoveredPath['status'], string> = {
  denied: 'denied (isolated, and no rule allows it)',
  audit: 'passes in audit mode, denied once enforced (no rule allows it)',
  'allowed-by-default': 'allowed only because nothing isolates the pod',
};

function Rules({ title, rules, testId, detail }: { title: string; rules: RuleUse[]; testId: string; detail(r: RuleUse): string }) {
  return (
    <div className="flex flex-col gap-1">
      <h4 className="text-xs font-semibold text-slate-700">
        {title} ({rules.length})
      </h4>
      {rules.length === 0 ? (
        <p className="text-xs text-slate-500">none</p>
      ) : (
        <ul data-testid={testId} className="flex flex-col gap-1 text-xs">
          {rules.map((r) => (
            <li key={r.rule} className="rounded border border-slate-200 bg-white px-2 py-1">
              <span className="font-mono">{r.rule}</span>
              <div className="text-slate-600">{detail(r)}</div>
              {r.examples.length > 0 && <div className="font-mono text-slate-500">e.g. {r.examples.join(' · ')}</div>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The namespace's deployed policies against its observed traffic: broader rules, unused rules, uncovered paths. */
export function DeployedDiffView({ diff }: { diff: DeployedDiff }) {
  return (
    <section data-testid="deployed-diff" className="flex flex-col gap-2">
      <h3 className="text-sm font-semibold">Deployed policies of {diff.namespace} against the observed traffic</h3>
      <div className="grid gap-3 lg:grid-cols-3">
        <Rules title="Broader than the traffic needs" rules={diff.broader} testId="deployed-broader" detail={(r) => `admits ${plural(r.unneeded, 'path')} no flow took; used by ${plural(r.usedConnections, 'connection')}`} />
        <Rules title="Unused in the window" rules={diff.unused} testId="deployed-unused" detail={() => 'admitted no observed flow'} />
        <div className="flex flex-col gap-1">
          <h4 className="text-xs font-semibold text-slate-700">Observed paths no rule covers ({diff.uncovered.length})</h4>
          {diff.uncovered.length === 0 ? (
            <p className="text-xs text-slate-500">none</p>
          ) : (
            <ul data-testid="deployed-uncovered" className="flex flex-col gap-1 text-xs">
              {diff.uncovered.map((u) => (
                <li key={`${u.direction}|${u.path}`} className="rounded border border-slate-200 bg-white px-2 py-1">
                  <span className="font-mono">{u.path}</span>
                  <div className="text-slate-600">
                    {u.direction} of {u.workload}: {UNCOVERED_WORDS[u.status]} · {count(u.flows)} flows
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {diff.checked.truncated && <p className="text-xs text-amber-700">The breadth check stopped after {count(diff.checked.pairs)} paths: the lists may be incomplete.</p>}
    </section>
  );
}
