'use client';

import { egressCsv, type EgressRow } from '@/lib/server/views/egress-inventory';
import { downloadText } from '../download';

/** Downloads the rows as shown (filters applied) as CSV, built in the browser. */
export function ExportCsvButton({ rows }: { rows: EgressRow[] }) {
  const download = () => downloadText(`flowsight-egress-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`, 'text/csv;charset=utf-8', egressCsv(rows));
  return (
    <button type="button" data-testid="egress-export" onClick={download} disabled={rows.length === 0} className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-50">
      Export CSV
    </button>
  );
}
