'use client';

import { exportFileName, flowsToCsv, flowsToJson } from '@/lib/flows/flow-export';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { downloadText } from '../download';

/**
 * "Export CSV" / "Export JSON": the flows the table holds, in its order (newest first), read at
 * the moment of the click; `filter` is the view's search as a URL query, recorded in the JSON;
 * `count` is how many rows that is (said next to the buttons, so nobody mistakes it for everything).
 */
export function FlowExport({ flows, filter, count }: { flows: () => readonly FlowRecord[]; filter: string; count: number }) {
  const button = 'rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-100';
  return (
    <span className="ml-auto flex items-center gap-2">
      <span data-testid="export-count" className="text-slate-500">
        export the {count} loaded row{count === 1 ? '' : 's'}:
      </span>
      <button
        type="button"
        data-testid="export-csv"
        title="Download the loaded rows as CSV (opens in a spreadsheet)"
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
        title="Download the loaded rows as JSON, every field"
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
