'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { filterEgressRows } from '@/lib/server/views/egress-inventory';
import { egressQuery } from '../api/queries';
import { EgressFilters } from './EgressFilters';
import { EgressSummary } from './EgressSummary';
import { EgressTable } from './EgressTable';
import { ExportCsvButton } from './ExportCsvButton';
import { useEgressFilters } from './use-egress-filters';

/** The /egress page: every workload that reaches the internet, with the verdict of each egress control. */
export function EgressView() {
  const { data, error, isLoading } = useQuery(egressQuery());
  const { filter, set } = useEgressFilters();
  const rows = useMemo(() => (data ? filterEgressRows(data.rows, filter) : []), [data, filter]);
  return (
    <div className="flex h-full flex-col gap-3 overflow-auto p-4">
      <header className="flex flex-col gap-1">
        <h1 className="text-lg font-semibold">Egress</h1>
        <p className="text-xs text-slate-600">
          Every workload → internet connection seen in the live window, with what network policy, the NSG and Azure Firewall decide and the deciding rule. Open
          connections first.
        </p>
      </header>
      {isLoading && <p className="text-sm text-slate-500">loading…</p>}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error.message}
        </p>
      )}
      {data && (
        <>
          <EgressSummary inventory={data} />
          <div className="flex flex-wrap items-center gap-3">
            <EgressFilters filter={filter} namespaces={data.namespaces} set={set} />
            <span data-testid="egress-shown" data-count={rows.length} className="text-xs text-slate-500">
              showing {rows.length} of {data.rows.length}
            </span>
            <ExportCsvButton rows={rows} />
          </div>
          {data.rows.length === 0 ? (
            <p className="text-sm text-slate-500">No workload has reached the internet in the live window yet.</p>
          ) : (
            <EgressTable rows={rows} />
          )}
        </>
      )}
    </div>
  );
}
