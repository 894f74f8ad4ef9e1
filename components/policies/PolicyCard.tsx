'use client';

import Link from 'next/link';
import type { PolicyEntry, PolicyPath } from '@/lib/server/views/policy-catalog';
import { PolicyPathsGraph } from './PolicyPathsGraph';

const KIND_SHORT: Record<PolicyEntry['kind'], string> = { NetworkPolicy: 'NP', CiliumNetworkPolicy: 'CNP', CiliumClusterwideNetworkPolicy: 'CCNP' };

function pathText(p: PolicyPath): string {
  // Peers beyond the list: capped, or in namespaces a scoped user may not read (named by count only).
  const more = p.peerCount - p.peers.length;
  const peers = p.anyPeer ? 'anyone' : p.peers.length ? p.peers.map((x) => x.label).join(', ') + (more > 0 ? ` +${more}` : '') : more > 0 ? `${more} not listed` : 'no peer matches now';
  return `${p.action} ${p.direction === 'ingress' ? 'from' : 'to'} ${peers} on ${p.ports.join(', ')}${p.l7 ? ` (${p.l7})` : ''}`;
}

export function PolicyCard({ entry, selected, onSelect }: { entry: PolicyEntry; selected: boolean; onSelect(key: string): void }) {
  const isolation = [entry.isolates.ingress && 'ingress', entry.isolates.egress && 'egress'].filter(Boolean).join(' + ');
  return (
    <article
      data-testid="policy-card"
      data-key={entry.key}
      data-name={entry.name}
      className={`rounded border bg-white p-3 ${selected ? 'border-sky-500 ring-2 ring-sky-200' : 'border-slate-200'}`}
    >
      <header className="flex flex-wrap items-baseline gap-2">
        <span className="rounded bg-slate-700 px-1.5 text-[10px] font-semibold text-white" title={entry.kind}>
          {KIND_SHORT[entry.kind]}
        </span>
        <button type="button" onClick={() => onSelect(selected ? '' : entry.key)} className="font-mono text-sm font-semibold hover:underline" data-testid="policy-name">
          {entry.namespace ? <span className="text-slate-500">{entry.namespace}/</span> : null}
          {entry.name}
        </button>
        <span className="text-xs text-slate-500">{entry.kind}</span>
        {isolation && <span className="text-xs text-slate-600">isolates {isolation}</span>}
        {entry.audit && <span className="rounded bg-amber-200 px-1 text-[10px] text-amber-900">audit mode</span>}
        {!entry.compiled && <span className="rounded bg-red-600 px-1 text-[10px] text-white">{entry.errors.some((e) => e.severity === 'error') ? 'not evaluated: invalid' : 'not evaluated'}</span>}
        {entry.hostPolicy && (
          <span className="rounded bg-slate-300 px-1 text-[10px] text-slate-800" data-testid="policy-host">
            host policy: not evaluated
          </span>
        )}
      </header>
      <p className="mt-1 text-xs" data-testid="policy-selected">
        <span className="text-slate-500">selects </span>
        {entry.hostPolicy ? (
          <span className="text-slate-600">nodes (nodeSelector), not pods: Flowsight does not evaluate host policies</span>
        ) : entry.selected.podCount === 0 ? (
          <span className="text-red-700">no pod{entry.compiled ? ' (check the selector labels)' : ''}</span>
        ) : (
          <>
            {entry.selected.podCount} pod{entry.selected.podCount === 1 ? '' : 's'} in{' '}
            {entry.selected.workloads.map((w, i) => (
              <span key={w.id}>
                {i > 0 && ', '}
                <Link prefetch={false} href={`/map?ns=${encodeURIComponent(w.namespace)}&select=${encodeURIComponent(w.node)}`} className="font-mono text-sky-700 hover:underline" title={w.pods.join(', ')}>
                  {w.id}
                </Link>
                <span className="text-slate-500"> ({w.pods.join(', ')}{w.podCount > w.pods.length ? ', …' : ''})</span>
              </span>
            ))}
            {entry.selected.workloadCount > entry.selected.workloads.length && <span className="text-slate-500"> and {entry.selected.workloadCount - entry.selected.workloads.length} more workloads</span>}
          </>
        )}
      </p>
      {entry.errors.length > 0 && (
        <ul className="mt-1 text-xs text-red-700" data-testid="policy-errors">
          {entry.errors.map((e, i) => (
            <li key={i}>
              {e.severity}: <span className="font-mono">{e.where.field}</span>: {e.message}
            </li>
          ))}
        </ul>
      )}
      <div className="mt-2 grid gap-2 lg:grid-cols-[minmax(0,720px)_1fr]">
        <PolicyPathsGraph entry={entry} />
        <ul className="text-xs text-slate-700" data-testid="policy-paths">
          {entry.paths.length === 0 && <li className="text-slate-500">{entry.hostPolicy ? 'its rules apply to nodes (host firewall) and are not evaluated' : isolation ? `no allow rules: denies all ${isolation} to the selected pods` : 'no rules'}</li>}
          {entry.paths.map((p) => (
            <li key={`${p.section}/${p.spec ?? ''}/${p.rule}`} className={p.action === 'deny' ? 'text-red-700' : ''}>
              <span className="font-mono text-slate-500">
                {p.spec !== undefined ? `specs[${p.spec}].` : ''}
                {p.section}[{p.rule}]
              </span>{' '}
              {pathText(p)}
            </li>
          ))}
        </ul>
      </div>
      <details className="mt-2" open={selected} data-testid="policy-yaml-details">
        <summary className="cursor-pointer text-xs text-slate-600">YAML</summary>
        <pre data-testid="policy-yaml" className="mt-1 max-h-96 overflow-auto rounded bg-slate-900 p-2 text-[11px] text-slate-100">
          {entry.yaml}
        </pre>
      </details>
    </article>
  );
}
