'use client';

import type { FlowRecord } from '@/lib/flows/flow-record';
import { FlowDetail } from './FlowDetail';
import { FlowTable } from './FlowTable';

/** The results table (newest first) with the detail drawer of the selected row beside it. */
export function FlowResults({ flows, selected, onSelect, onNearEnd }: { flows: readonly FlowRecord[]; selected: FlowRecord | null; onSelect(f: FlowRecord | null): void; onNearEnd?: () => void }) {
  return (
    <div className="flex min-h-0 flex-1">
      <FlowTable flows={flows} onSelect={onSelect} selected={selected?.uuid ?? null} onNearEnd={onNearEnd} />
      {selected && <FlowDetail flow={selected} onClose={() => onSelect(null)} />}
    </div>
  );
}
