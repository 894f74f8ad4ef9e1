'use client';

import { egressCsv, type EgressRow } from '@/lib/server/views/egress-inventory';

/** Downloads the rows as shown (filters applied) as CSV, built in the browser. */
export function ExportCsvButton({ rows }: { rows: EgressRow[] }) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([egressCsv(rows)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `flowsight-egress-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`;
    a.click();
    // The click has started the download; the object URL is not needed after this turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return (
    <button type="button" data-testid="egress-export" onClick={download} disabled={rows.length === 0} className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-50">
      Export CSV
    </button>
  );
}
