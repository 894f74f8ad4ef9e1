/** Per namespace: default deny for ingress and egress, DNS where egress is locked, and internet egress (who is out, which layer closes it). */

import type { CoverageRow, IsolationCoverage } from '@/lib/evidence/coverage';
import { Badge, EmptyNote, TABLE, TD, TH, THEAD, TR, Wrap, type Tone } from './ReportBits';
import { findingAnchor, plural } from './report-format';

const ISOLATION: Record<IsolationCoverage['state'], { word: string; tone: Tone }> = {
  all: { word: 'all pods', tone: 'good' },
  partial: { word: 'partial', tone: 'warn' },
  audit: { word: 'audit only', tone: 'bad' },
  none: { word: 'none', tone: 'bad' },
};

function Isolation({ c, testId }: { c: IsolationCoverage; testId: string }) {
  const { word, tone } = ISOLATION[c.state];
  return (
    <td className={TD} data-testid={testId} data-state={c.state}>
      <Badge tone={tone}>{word}</Badge>
      <span className="mt-0.5 block text-[11px] text-slate-600">
        {c.isolatedPods} of {plural(c.pods, 'pod')}
        {c.auditPods > 0 && ` (+${c.auditPods} in audit mode: not enforced)`}
      </span>
    </td>
  );
}

const DNS: Record<CoverageRow['dns']['state'], { word: string; tone: Tone }> = {
  allowed: { word: 'allowed', tone: 'good' },
  missing: { word: 'missing', tone: 'bad' },
  'udp-only': { word: 'UDP only', tone: 'warn' },
  'not-needed': { word: 'not needed', tone: 'neutral' },
  unknown: { word: 'not checked', tone: 'warn' },
};

function Internet({ r }: { r: CoverageRow }) {
  const i = r.internet;
  return (
    <td className={TD} data-testid="coverage-internet" data-state={i.state}>
      {i.state === 'open' ? <Badge tone="bad">open</Badge> : <Badge tone="good">closed</Badge>}
      {i.closedBy.length > 0 && <span className="mt-0.5 block text-[11px] text-slate-700">closed by {i.closedBy.join(', ')}</span>}
      {i.open.length > 0 && (
        <span className="mt-0.5 block text-[11px] text-red-800">
          open: <Wrap text={i.open.join(', ')} />
        </span>
      )}
      {i.closedElsewhere.length > 0 && (
        <span className="mt-0.5 block text-[11px] text-slate-600">
          let out by policy, closed by{' '}
          {i.closedElsewhere.map((c, n) => (
            <span key={c.workload}>
              {n > 0 && '; '}
              {c.layer}: <Wrap text={c.workload} />
            </span>
          ))}
        </span>
      )}
    </td>
  );
}

/** A row's finding keys (`open-egress:shop/cart`) by check, each linking to its first finding. */
function findingKinds(keys: string[]): { id: string; first: string; keys: string[] }[] {
  const byId = new Map<string, string[]>();
  for (const k of keys) {
    const id = k.split(':')[0] ?? k;
    byId.set(id, [...(byId.get(id) ?? []), k]);
  }
  return [...byId].map(([id, list]) => ({ id, first: list[0]!, keys: list }));
}

export function CoverageTable({ rows }: { rows: CoverageRow[] }) {
  if (rows.length === 0) return <EmptyNote testId="coverage-empty">No namespace in this scope has pods.</EmptyNote>;
  return (
    <table className={TABLE} data-testid="coverage-table">
      <colgroup>
        <col style={{ width: '16%' }} />
        <col style={{ width: '10%' }} />
        <col style={{ width: '11%' }} />
        <col style={{ width: '11%' }} />
        <col style={{ width: '15%' }} />
        <col style={{ width: '22%' }} />
        <col style={{ width: '15%' }} />
      </colgroup>
      <thead className={THEAD}>
        <tr>
          <th className={TH}>Namespace</th>
          <th className={`${TH} text-right`}>Pods</th>
          <th className={TH}>Default-deny ingress</th>
          <th className={TH}>Default-deny egress</th>
          <th className={TH}>DNS</th>
          <th className={TH}>Internet egress</th>
          <th className={TH}>Findings</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.namespace} className={TR} data-testid="coverage-row" data-namespace={r.namespace}>
            <td className={TD}>
              <span className="font-mono font-medium">
                <Wrap text={r.namespace} />
              </span>
              <span className="mt-0.5 flex flex-wrap gap-1">
                {r.system && <Badge tone="neutral">system</Badge>}
                {r.unprotected && (
                  <Badge tone="bad" testId="coverage-unprotected">
                    no policy
                  </Badge>
                )}
              </span>
            </td>
            <td className={`${TD} text-right`}>
              <span className="font-mono">{r.pods}</span>
              <span className="block text-[11px] text-slate-500">{plural(r.workloads, 'workload')}</span>
            </td>
            <Isolation c={r.ingress} testId="coverage-ingress" />
            <Isolation c={r.egress} testId="coverage-egress" />
            <td className={TD} data-testid="coverage-dns" data-state={r.dns.state}>
              <Badge tone={DNS[r.dns.state].tone}>{DNS[r.dns.state].word}</Badge>
              <span className="mt-0.5 block break-words text-[11px] text-slate-600">{r.dns.detail}</span>
            </td>
            <Internet r={r} />
            <td className={`${TD} text-[11px]`} data-testid="coverage-findings" data-count={r.findingKeys.length}>
              {r.findingKeys.length === 0 ? (
                <span className="text-slate-500">none</span>
              ) : (
                findingKinds(r.findingKeys).map((k) => (
                  <a key={k.id} href={`#${findingAnchor(k.first)}`} className="block break-words text-sky-800" title={k.keys.join('\n')}>
                    {k.id}
                    {k.keys.length > 1 && <span className="text-slate-500"> ×{k.keys.length}</span>}
                  </a>
                ))
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
