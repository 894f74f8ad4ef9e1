'use client';

import { exportFileName, flowsToCsv, flowsToJson } from '@/lib/flows/flow-export';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { downloadText } from '../download';

/**
 * "Export CSV" / "Export JSON": the flows the table shows, in its order (newest first), read at
 * the moment of the click; `filter` is the view's URL query, recorded in the JSON.
 */
export function FlowExport({ flows, filter }: { flows: () => readonly FlowRecord[]; filter: string }) {
  const button = 'rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-100';
  return (
    <span className="ml-auto flex gap-2">
      <button
        type="button"
        data-testid="export-csv"
        title="Download the flows in the table as CSV (opens in a spreadsheet)"
        className={button}
        onClick={() => {
          const now = new Date();
          downloadText(exportFileName('csv', now), 'text/csv;charset=utf-8', flowsToCsv(flows()));
        }}
      >
        Export CSV
      </button>
      <button
        type="button"
        data-testid="export-json"
        title="Download the flows in the table as JSON, every field"
        className={button}
        onClick={() => {
          const now = new Date();
          downloadText(exportFileName('json', now), 'application/json', flowsToJson(flows(), filter, now));
        }}
      >
        Export JSON
      </button>
    </span>
  );
}
