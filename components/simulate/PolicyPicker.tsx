'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { PolicyId } from '@/lib/what-if/proposed-change';
import type { PolicyEntry } from '@/lib/server/views/policy-catalog';
import { deployedPoliciesQuery, policyFacetsQuery } from '../api/queries';

/** The namespace select's value for cluster-wide policies (a namespace name never holds `*`). */
const CLUSTER_WIDE = '*';

/**
 * Picks a deployed policy (namespace, then policy) to delete in the change, or to copy into the
 * editor to change it (a copy with the same kind, namespace and name replaces the deployed one).
 */
export function PolicyPicker({ onDelete, onCopy }: { onDelete(p: PolicyId): void; onCopy(yaml: string): void }) {
  const facets = useQuery(policyFacetsQuery());
  const [namespace, setNamespace] = useState('');
  const [key, setKey] = useState('');
  const policies = useQuery(deployedPoliciesQuery(namespace === CLUSTER_WIDE ? '' : namespace, namespace === CLUSTER_WIDE));
  const list = namespace ? (policies.data?.policies ?? []) : [];
  const chosen: PolicyEntry | undefined = list.find((p) => p.key === key);
  const id = (p: PolicyEntry): PolicyId => ({ kind: p.kind, ...(p.namespace ? { namespace: p.namespace } : {}), name: p.name });
  const button = 'rounded border border-slate-300 bg-white px-2 py-1 hover:bg-slate-100 disabled:opacity-50';
  return (
    <fieldset data-testid="policy-picker" className="flex flex-wrap items-center gap-2 text-xs">
      <legend className="sr-only">Deployed policy</legend>
      <span className="font-medium text-slate-700">Deployed policy</span>
      <select
        data-testid="policy-namespace"
        aria-label="Namespace of the deployed policy"
        value={namespace}
        onChange={(e) => {
          setNamespace(e.target.value);
          setKey('');
        }}
        className="rounded border border-slate-300 px-1.5 py-1"
      >
        <option value="">namespace…</option>
        {(facets.data?.namespaces ?? []).map((ns) => (
          <option key={ns} value={ns}>
            {ns}
          </option>
        ))}
        {facets.data?.clusterWide && <option value={CLUSTER_WIDE}>(cluster-wide)</option>}
      </select>
      <select data-testid="policy-name" aria-label="Deployed policy" value={key} disabled={!namespace} onChange={(e) => setKey(e.target.value)} className="max-w-72 rounded border border-slate-300 px-1.5 py-1">
        <option value="">{policies.isFetching ? 'loading…' : 'policy…'}</option>
        {list.map((p) => (
          <option key={p.key} value={p.key}>
            {p.kind === 'NetworkPolicy' ? '' : `${p.kind} `}
            {p.name}
          </option>
        ))}
      </select>
      <button type="button" data-testid="policy-delete" disabled={!chosen} onClick={() => chosen && onDelete(id(chosen))} className={button} title="The change deletes this policy">
        Delete it
      </button>
      <button type="button" data-testid="policy-copy" disabled={!chosen} onClick={() => chosen && onCopy(chosen.yaml)} className={button} title="Copy its YAML into the editor: edit it there, and the copy replaces the deployed policy">
        Edit a copy
      </button>
      {policies.data && policies.data.total > list.length && <span className="text-slate-500">first {list.length} of {policies.data.total}</span>}
      {(facets.error ?? policies.error) && <span className="text-red-700">{(facets.error ?? policies.error)!.message}</span>}
    </fieldset>
  );
}
